// Package krm holds the in-process tests of every registered function: the
// shared conformance suite, chain-versus-separate equality, fast I/O versus
// the SDK, and the fuzz targets. It needs no binaries, unlike the
// end-to-end tests one directory up.
package krm
