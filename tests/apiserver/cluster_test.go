package apiserver

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cluster is etcd and kube-apiserver started by scripts/start-cluster.sh.
type cluster struct {
	bin, work, kubeconfig string
	scripts               string
	etcdPort, kasPort     int
}

func startCluster(t testing.TB, root, bin string) *cluster {
	work := t.TempDir()
	scripts := filepath.Join(root, "tests", "apiserver", "scripts")
	c := &cluster{bin: bin, work: work, kubeconfig: filepath.Join(work, "kubeconfig"), scripts: scripts, etcdPort: freePortPair(t), kasPort: freePort(t)}
	start := c.startCommand()
	var out bytes.Buffer
	start.Stdout, start.Stderr = &out, &out
	t.Cleanup(func() {
		stop := exec.Command(filepath.Join(scripts, "stop-cluster.sh"), work)
		if b, err := stop.CombinedOutput(); err != nil {
			t.Errorf("stop-cluster: %v\n%s", err, b)
		}
	})
	if err := start.Run(); err != nil {
		t.Fatalf("start-cluster: %v\n%s", err, out.String())
	}
	t.Log(strings.TrimSpace(out.String()))
	return c
}

func (c *cluster) startCommand(env ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.scripts, "start-cluster.sh"), c.work, filepath.Join(c.bin, "etcd"), filepath.Join(c.bin, "kube-apiserver"))
	cmd.Env = append(append(os.Environ(), "ETCD_PORT="+strconv.Itoa(c.etcdPort), "KAS_PORT="+strconv.Itoa(c.kasPort)), env...)
	return cmd
}

// restartAPIServer stops kube-apiserver (etcd keeps running) and starts it
// again on the same port with the same token.
func (c *cluster) restartAPIServer(t testing.TB) {
	t.Helper()
	pid, err := os.ReadFile(filepath.Join(c.work, "kas.pid"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(pid)))
	if err != nil {
		t.Fatal(err)
	}
	proc, err := os.FindProcess(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	// Not a child of this process (the script started it): wait until the
	// pid is gone, so that the port is free.
	for proc.Signal(syscall.Signal(0)) == nil {
		time.Sleep(50 * time.Millisecond)
	}
	start := c.startCommand("KAS_ONLY=1")
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("restarting kube-apiserver: %v\n%s", err, out)
	}
	// kubectl apply validates against the OpenAPI document, which a
	// restarted server holding the bundle's CRDs serves only once it has
	// rebuilt it, after /readyz (over kubectl's 32 s on a loaded machine).
	poll(t, 180*time.Second, "OpenAPI document served after the restart", func() (bool, string) {
		_, stderr, err := c.kubectl("get", "--raw", "/openapi/v2", "--request-timeout=60s")
		return err == nil, stderr
	})
}

// kubectl runs kubectl against the cluster.
func (c *cluster) kubectl(args ...string) (stdout, stderr string, err error) {
	args = append([]string{"--kubeconfig", c.kubeconfig, "--cache-dir", filepath.Join(c.work, "kubectl-cache")}, args...)
	cmd := exec.Command(filepath.Join(c.bin, "kubectl"), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}
