package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// sampleInterval is how often the tree's RSS is summed: the functions peak
// while they hold the parsed bundle, for hundreds of milliseconds at least.
const sampleInterval = 50 * time.Millisecond

// treeSampler sums the RSS of a process and its descendants from /proc until
// stopped, keeping the largest sum.
type treeSampler struct {
	done chan struct{}
	peak chan int64 // KiB
}

func sampleTree(root int) *treeSampler {
	s := &treeSampler{done: make(chan struct{}), peak: make(chan int64)}
	go func() {
		var peak int64
		tick := time.NewTicker(sampleInterval)
		defer tick.Stop()
		for {
			peak = max(peak, treeRSS(root))
			select {
			case <-s.done:
				s.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the largest sum seen (KiB).
func (s *treeSampler) stop() int64 {
	close(s.done)
	return <-s.peak
}

// treeRSS is the summed RSS (KiB) of root and every descendant now alive.
func treeRSS(root int) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	children := map[int][]int{}
	rss := map[int]int64{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, pages, ok := readStat(pid)
		if !ok {
			continue // exited since the listing
		}
		children[ppid] = append(children[ppid], pid)
		rss[pid] = pages
	}
	var sum int64
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		sum += rss[pid]
		queue = append(queue, children[pid]...)
	}
	return sum * int64(os.Getpagesize()) / 1024
}

// readStat returns a process's parent and resident pages from
// /proc/<pid>/stat (proc(5): the fields after the parenthesized command
// name are state, ppid, ... with rss the 24th field).
func readStat(pid int) (ppid int, pages int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	const ppidField, rssField = 4 - 3, 24 - 3 // field numbers of proc(5), from state (3)
	if len(f) <= rssField {
		return 0, 0, false
	}
	ppid, err1 := strconv.Atoi(f[ppidField])
	pages, err2 := strconv.ParseInt(f[rssField], 10, 64)
	return ppid, pages, err1 == nil && err2 == nil
}
