// Command peakrss runs a command with its standard streams and writes the
// command's peak resident set size (KiB) to the file named by $PEAKRSS_OUT.
// The benchmarks start functions through it because a child started directly
// by the (large) test process inherits the parent's RSS high-water mark
// between fork and exec.
//
// The kernel's figure (wait4's maxrss) is the largest single process of the
// command's tree: for kustomize, kustomize itself or one exec function,
// whichever peaked higher. Both are resident at once while a function runs,
// so with $PEAKRSS_TREE_OUT set peakrss also samples the sum of the RSS of
// the command and all its descendants every 20 ms and writes the largest sum
// (KiB) there.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: PEAKRSS_OUT=file [PEAKRSS_TREE_OUT=file] peakrss command [args...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	var tree *treeSampler
	err := cmd.Start()
	if err == nil {
		if out := os.Getenv("PEAKRSS_TREE_OUT"); out != "" {
			tree = sampleTree(cmd.Process.Pid)
		}
		err = cmd.Wait()
	}
	if cmd.ProcessState != nil {
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
		if out := os.Getenv("PEAKRSS_OUT"); out != "" {
			_ = os.WriteFile(out, []byte(fmt.Sprint(rss)), 0o644)
		}
	}
	if tree != nil {
		_ = os.WriteFile(os.Getenv("PEAKRSS_TREE_OUT"), []byte(fmt.Sprint(tree.stop())), 0o644)
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
}
