package apiserver

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// controller is the runtime-sync binary running against the cluster, as
// its Deployment runs it (same flags), on loopback ports.
type controller struct {
	bin, config, kubeconfig string
	metrics, probes         string // host:port
	cmd                     *exec.Cmd
	done                    chan struct{} // closed when cmd has exited
	log                     *os.File
}

// fallbackConfig is the controller's configuration where the bundle has
// none: kgateway-route's defaults in controller mode, with the upstream
// controllers' tenant prefixes.
const fallbackConfig = `apiVersion: fn.kfgitops.dev/v1alpha1
kind: KgatewayRoute
metadata: {name: runtime-sync}
runtimeRoutes:
  mode: controller
  prefixes:
  - "/notebook/{namespace}/"
  - "/tensorboard/{namespace}/"
  - "/pvcviewers/{namespace}/"
  - "/serving/{namespace}/"
`

// controllerBinary is bin/runtime-sync (make build), or a fresh build.
func controllerBinary(t testing.TB, root string) string {
	t.Helper()
	bin := filepath.Join(root, "bin", "runtime-sync")
	if _, err := os.Stat(bin); err == nil && os.Getenv("KFGITOPS_APISERVER_REBUILD") == "" {
		return bin
	}
	bin = filepath.Join(t.TempDir(), "runtime-sync")
	cmd := exec.Command("go", "build", "-o", bin, "./controllers/runtime-sync")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building runtime-sync: %v\n%s", err, out)
	}
	return bin
}

func newController(t testing.TB, bin, config, kubeconfig string) *controller {
	log, err := os.Create(filepath.Join(t.TempDir(), "runtime-sync.log"))
	if err != nil {
		t.Fatal(err)
	}
	c := &controller{bin: bin, config: config, kubeconfig: kubeconfig, log: log,
		metrics: "127.0.0.1:" + strconv.Itoa(freePort(t)), probes: "127.0.0.1:" + strconv.Itoa(freePort(t))}
	t.Cleanup(func() {
		c.kill(t)
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("runtime-sync log (last 6000 bytes):\n%s", tail(b, 6000))
		}
		log.Close()
	})
	return c
}

// start runs the controller and waits until /readyz answers ok (caches
// synced, leader elected).
func (c *controller) start(t testing.TB) {
	t.Helper()
	fmt.Fprintf(c.log, "=== start %s\n", time.Now().Format(time.RFC3339Nano))
	c.cmd = exec.Command(c.bin, "--kubeconfig", c.kubeconfig, "--config", c.config,
		"--metrics-bind-address", c.metrics, "--health-probe-bind-address", c.probes, "--leader-elect")
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmd, done := c.cmd, make(chan struct{})
	c.done = done
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	poll(t, 90*time.Second, "runtime-sync ready", func() (bool, string) {
		if !c.running() {
			return false, "exited"
		}
		body, err := httpGet("http://" + c.probes + "/readyz")
		return err == nil && body == "ok", fmt.Sprint(body, err)
	})
}

// kill stops the controller with SIGKILL: no clean-up, no lease release.
func (c *controller) kill(t testing.TB) {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Kill()
	<-c.done
	c.cmd = nil
}

func (c *controller) logText() string {
	b, _ := os.ReadFile(c.log.Name())
	return string(b)
}

func (c *controller) running() bool {
	if c.cmd == nil {
		return false
	}
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

var reconcileTotal = regexp.MustCompile(`(?m)^controller_runtime_reconcile_total\{controller="([^"]+)",result="[^"]+"\} (\d+)$`)

// reconciles returns controller-runtime's reconcile count of a controller.
func (c *controller) reconciles(t testing.TB, name string) int {
	t.Helper()
	body, err := httpGet("http://" + c.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range reconcileTotal.FindAllStringSubmatch(body, -1) {
		if m[1] == name {
			v, _ := strconv.Atoi(m[2])
			n += v
		}
	}
	return n
}

// metric returns the value of an unlabelled counter.
func (c *controller) metric(t testing.TB, name string) string {
	t.Helper()
	body, err := httpGet("http://" + c.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

func httpGet(url string) (string, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b)), err
}

// poll calls check until it reports true, failing the test with check's
// last words after timeout. The bound is a liveness bound, not a timing
// assertion: the expected state is reached long before it.
func poll(t testing.TB, timeout time.Duration, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, status := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s: %s", what, timeout, status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return b
}

// peakRSS is the controller's peak resident set size in KiB (VmHWM).
func (c *controller) peakRSS(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
