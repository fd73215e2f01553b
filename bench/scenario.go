package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// DefaultLatency is the round trip added to each request: about what a CI
// runner sees to ghcr.io and api.github.com.
const DefaultLatency = 20 * time.Millisecond

// Scenario names, in the order Measure runs them.
const (
	FirstPublish  = "first publish"
	NoChangePlan  = "no-change plan"
	Drift         = "drift"
	Verify        = "verify"
	OneChangePlan = "plan, one chart changed"
)

// Options configure Measure.
type Options struct {
	Charts  int
	Latency time.Duration
	// Relctl is the relctl binary to measure.
	Relctl string
	// Parallelism is relctl's --parallelism; <= 0 keeps its default.
	Parallelism int
	// GitHubHost is where the emulator listens ("" means loopback, where
	// relctl does not pace GitHub writes).
	GitHubHost string
	// Baseline also runs the seed-style baseline.
	Baseline bool
	// Only, when set, runs the first publish and the scenarios it names.
	Only []string
	// AttachFile, when > 0, adds a release file of that many bytes to every
	// release (see Workspace.AttachFile).
	AttachFile int64
	// Log receives progress lines; nil means none.
	Log io.Writer
	// ProfileDir, when set, receives a CPU profile of each relctl run
	// (RELCTL_CPUPROFILE), named <charts>-<scenario>.pprof.
	ProfileDir string
	// Token puts the registry behind bearer tokens, as GHCR does
	// (SandboxOptions.Token).
	Token bool
}

// Report is the outcome of Measure.
type Report struct {
	Options  Options
	Runs     []Run
	Baseline *Run
}

// Run returns the run of a scenario, or nil.
func (r *Report) Run(scenario string) *Run {
	for i := range r.Runs {
		if r.Runs[i].Scenario == scenario {
			return &r.Runs[i]
		}
	}
	return nil
}

// Measure generates opts.Charts charts and measures every scenario against
// a fresh sandbox.
func Measure(ctx context.Context, opts Options) (*Report, error) {
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	tmp, err := os.MkdirTemp("", "relctl-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	sb, err := StartSandbox(ctx, SandboxOptions{Latency: opts.Latency, GitHubHost: opts.GitHubHost, Token: opts.Token})
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	ws, err := Generate(ctx, filepath.Join(tmp, "repo"), opts.Charts, sb.Registry.Host)
	if err != nil {
		return nil, fmt.Errorf("generate %d charts: %w", opts.Charts, err)
	}
	if opts.AttachFile > 0 {
		if err := ws.AttachFile(opts.AttachFile); err != nil {
			return nil, err
		}
	}
	rep := &Report{Options: opts}
	if opts.Baseline {
		logf("%d charts: baseline first publish", opts.Charts)
		b, err := Baseline(ctx, sb, ws, home)
		if err != nil {
			return nil, err
		}
		rep.Baseline = &b
	}
	r := &Runner{Bin: opts.Relctl, Sandbox: sb, Workspace: ws, Home: home, Parallelism: opts.Parallelism, ProfileDir: opts.ProfileDir}
	steps := []struct {
		name   string
		before func() error
		want   int
		args   []string
	}{
		{FirstPublish, nil, 0, []string{"apply", "--auto-approve"}},
		{NoChangePlan, nil, 0, []string{"plan", "--detailed-exitcode"}},
		{Drift, nil, 0, []string{"drift"}},
		{Verify, nil, 0, []string{"verify"}},
		// A pull request releasing one chart: the plan creates it, exit 2.
		{OneChangePlan, func() error { return ws.Bump(ctx, 0, "1.0.1") }, 2, []string{"plan", "--detailed-exitcode"}},
	}
	for _, st := range steps {
		if !wanted(opts.Only, st.name) {
			continue
		}
		if st.before != nil {
			if err := st.before(); err != nil {
				return nil, err
			}
		}
		logf("%d charts: %s", opts.Charts, st.name)
		run, err := r.Relctl(ctx, st.name, st.want, st.args...)
		if err != nil {
			return nil, fmt.Errorf("%s of %d charts: %w", st.name, opts.Charts, err)
		}
		rep.Runs = append(rep.Runs, run)
	}
	return rep, nil
}

func wanted(only []string, name string) bool {
	if len(only) == 0 || name == FirstPublish {
		return true
	}
	for _, o := range only {
		if o == name {
			return true
		}
	}
	return false
}
