// Command peakrss runs a command with its standard streams and writes the
// command's peak resident set size (KiB) to the file named by $PEAKRSS_OUT.
// The benchmarks start functions through it because a child started directly
// by the (large) test process inherits the parent's RSS high-water mark
// between fork and exec.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: PEAKRSS_OUT=file peakrss command [args...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState != nil {
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
		if out := os.Getenv("PEAKRSS_OUT"); out != "" {
			_ = os.WriteFile(out, []byte(fmt.Sprint(rss)), 0o644)
		}
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
}
