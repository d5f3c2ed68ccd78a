package argocdapps

import (
	"fmt"
	"strconv"
	"strings"
)

// groupWaves resolves the Application wave of every group.
func (c *Config) groupWaves() []int {
	waves := make([]int, len(c.Groups))
	next := 0
	for i, g := range c.Groups {
		if g.Wave != nil {
			next = *g.Wave
		}
		waves[i] = next
		next++
	}
	return waves
}

// waveRange is an inclusive range of sync waves; a nil bound is open.
type waveRange struct {
	set      bool
	min, max *int
}

func (r waveRange) contains(w int) bool {
	return (r.min == nil || w >= *r.min) && (r.max == nil || w <= *r.max)
}

// parseWaveRange parses "", "1", "1..", "..-2" and "0..3".
func parseWaveRange(s string) (waveRange, error) {
	if s == "" {
		return waveRange{}, nil
	}
	bound := func(b string) (*int, error) {
		if b == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(b))
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not an integer (want 1, 1.., ..-2 or 0..3)", s, b)
		}
		return &n, nil
	}
	lo, hi, isRange := strings.Cut(s, "..")
	if !isRange {
		n, err := bound(s)
		if err != nil || n == nil {
			return waveRange{}, err
		}
		return waveRange{set: true, min: n, max: n}, nil
	}
	if lo == "" && hi == "" {
		return waveRange{}, fmt.Errorf("%q: give at least one bound", s)
	}
	min, err := bound(lo)
	if err != nil {
		return waveRange{}, err
	}
	max, err := bound(hi)
	if err != nil {
		return waveRange{}, err
	}
	if min != nil && max != nil && *min > *max {
		return waveRange{}, fmt.Errorf("%q: empty range", s)
	}
	return waveRange{set: true, min: min, max: max}, nil
}
