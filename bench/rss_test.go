package bench

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestPeakRSS_isTheChildsOwnNotTheHarnesss proves the peak RSS reported for
// relctl is relctl's: a tiny child of a harness holding 80 MiB reports a
// few MiB, where wait4's ru_maxrss would report the harness's 80 MiB.
func TestPeakRSS_isTheChildsOwnNotTheHarnesss(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc: peak RSS is measured on Linux only")
	}
	held := make([]byte, 80<<20)
	for i := 0; i < len(held); i += 4096 {
		held[i] = 1 // touch every page, so it is resident
	}
	cmd := exec.Command("sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	done := make(chan struct{})
	rss := peakRSS(cmd.Process.Pid, done, 5*time.Millisecond)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	close(done)
	got := <-rss
	if got <= 0 || got > 32<<20 {
		t.Errorf("peak RSS of sleep = %d bytes, want a few MiB (more than 0, far less than the 80 MiB the harness holds)", got)
	}
	held[0] = 2 // keep held alive until the child is done
}
