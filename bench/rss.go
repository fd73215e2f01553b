package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// peakRSS samples a child's VmHWM, its resident high-water mark, until done
// is closed, and returns the last value read in bytes (0 when none could be
// read, e.g. off Linux).
//
// The rusage wait4 returns is of no use here: Go starts children with
// CLONE_VM|CLONE_VFORK, and Linux folds the parent's high-water mark into
// the child's ru_maxrss at exec, so every child would report at least this
// process's peak (the registry, the emulator and their content). VmHWM
// belongs to the child's own address space, starting at exec. It only
// grows, so sampling misses at most the growth of the last interval before
// exit.
func peakRSS(pid int, done <-chan struct{}, every time.Duration) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		path := fmt.Sprintf("/proc/%d/status", pid)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if v, ok := readHWM(path); ok && v > peak {
				peak = v
			}
			select {
			case <-done:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func readHWM(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}
