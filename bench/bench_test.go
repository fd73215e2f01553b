package bench

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// The benchmarks run relctl's scenarios at 10 charts, so that a CI-style
// `go test -bench . ./bench/` stays short; the 100- and 500-chart figures
// come from cmd/relctl-bench. Each reports, beside ns/op, the figures the
// issue sets targets on. They build ./cmd/relctl once (or take
// $RELCTL_BENCH_BIN).
const benchCharts = 10

var (
	binOnce sync.Once
	binPath string
	binDir  string
	binErr  error
)

// TestMain removes the relctl binary a benchmark built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func relctlBin(b *testing.B) string {
	b.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("RELCTL_BENCH_BIN"); p != "" {
			binPath = p
			return
		}
		dir, err := os.MkdirTemp("", "relctl-bench-bin-")
		if err != nil {
			binErr = err
			return
		}
		binDir = dir
		binPath, binErr = BuildRelctl(context.Background(), dir)
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return binPath
}

// published is a sandbox whose charts relctl has published.
func published(b *testing.B) *Runner {
	b.Helper()
	ctx := context.Background()
	sb, err := StartSandbox(ctx, SandboxOptions{Latency: DefaultLatency})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sb.Close)
	ws, err := Generate(ctx, b.TempDir(), benchCharts, sb.Registry.Host)
	if err != nil {
		b.Fatal(err)
	}
	r := &Runner{Bin: relctlBin(b), Sandbox: sb, Workspace: ws, Home: b.TempDir()}
	if _, err := r.Relctl(ctx, FirstPublish, 0, "apply", "--auto-approve"); err != nil {
		b.Fatal(err)
	}
	return r
}

// report adds the figures, averaged over b.N runs.
func report(b *testing.B, runs []Run) {
	var cpu time.Duration
	var reg, gh int
	var rss int64
	for _, r := range runs {
		cpu += r.CPU
		reg += r.Requests("registry")
		gh += r.Requests("github")
		rss = max(rss, r.MaxRSS)
	}
	n := float64(len(runs)) * benchCharts
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/n, "cpu-ms/chart")
	b.ReportMetric(float64(reg)/n, "registry-req/chart")
	b.ReportMetric(100*float64(gh)/n, "github-req/100charts")
	b.ReportMetric(float64(rss)/(1<<20), "peak-MiB")
}

func benchRelctl(b *testing.B, scenario string, want int, before func(*Runner), args ...string) {
	r := published(b)
	if before != nil {
		before(r)
	}
	ctx := context.Background()
	var runs []Run
	b.ResetTimer()
	for b.Loop() {
		run, err := r.Relctl(ctx, scenario, want, args...)
		if err != nil {
			b.Fatal(err)
		}
		runs = append(runs, run)
	}
	b.StopTimer()
	report(b, runs)
}

func BenchmarkNoChangePlan10Charts(b *testing.B) {
	benchRelctl(b, NoChangePlan, 0, nil, "plan", "--detailed-exitcode")
}

func BenchmarkDrift10Charts(b *testing.B) {
	benchRelctl(b, Drift, 0, nil, "drift")
}

func BenchmarkVerify10Charts(b *testing.B) {
	benchRelctl(b, Verify, 0, nil, "verify")
}

func BenchmarkPlanOneChartChanged10Charts(b *testing.B) {
	benchRelctl(b, OneChangePlan, 2, func(r *Runner) {
		if err := r.Workspace.Bump(context.Background(), 0, "1.0.1"); err != nil {
			b.Fatal(err)
		}
	}, "plan", "--detailed-exitcode")
}

// BenchmarkFirstPublish10Charts publishes into a fresh sandbox each time,
// and reports the seed-style baseline's time over relctl's on the same
// charts.
func BenchmarkFirstPublish10Charts(b *testing.B) {
	ctx := context.Background()
	bin := relctlBin(b)
	var runs []Run
	var relctlWall, baseWall time.Duration
	for b.Loop() {
		b.StopTimer()
		sb, err := StartSandbox(ctx, SandboxOptions{Latency: DefaultLatency})
		if err != nil {
			b.Fatal(err)
		}
		ws, err := Generate(ctx, b.TempDir(), benchCharts, sb.Registry.Host)
		if err != nil {
			b.Fatal(err)
		}
		home := b.TempDir()
		base, err := Baseline(ctx, sb, ws, home)
		if err != nil {
			b.Fatal(err)
		}
		r := &Runner{Bin: bin, Sandbox: sb, Workspace: ws, Home: home}
		b.StartTimer()
		run, err := r.Relctl(ctx, FirstPublish, 0, "apply", "--auto-approve")
		b.StopTimer()
		sb.Close()
		if err != nil {
			b.Fatal(err)
		}
		runs = append(runs, run)
		relctlWall += run.Wall
		baseWall += base.Wall
		b.StartTimer()
	}
	report(b, runs)
	b.ReportMetric(float64(baseWall)/float64(relctlWall), "x-faster-than-baseline")
}
