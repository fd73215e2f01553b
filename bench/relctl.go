package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Run is one measured run of relctl or of the baseline.
type Run struct {
	Scenario string
	Charts   int
	Wall     time.Duration
	// CPU is user + system time. For relctl it is the child process's
	// alone; for the baseline it is this process's, servers included.
	CPU time.Duration
	// MaxRSS is the peak resident set in bytes; 0 when not measurable (the
	// baseline shares this process's lifetime peak).
	MaxRSS  int64
	Traffic []Traffic
}

// Requests sums the requests made to service: "registry", "token" (the
// registry's token endpoint, not counted in "registry"), "github"; ""
// means all.
func (r Run) Requests(service string) int {
	n := 0
	for _, t := range r.Traffic {
		s := t.Service
		if s == "registry" && strings.HasSuffix(strings.TrimSuffix(t.Kind, Unauthorized), TokenKind) {
			s = "token"
		}
		if service == "" || s == service {
			n += t.Requests
		}
	}
	return n
}

// Bytes sums the body bytes moved both ways.
func (r Run) Bytes() int64 {
	var n int64
	for _, t := range r.Traffic {
		n += t.BytesIn + t.BytesOut
	}
	return n
}

// Runner runs the relctl binary in a workspace against a sandbox.
type Runner struct {
	Bin       string
	Sandbox   *Sandbox
	Workspace *Workspace
	// Home is the HOME of the child: no user's docker or sigstore config
	// leaks in.
	Home string
	// Parallelism is passed as --parallelism to plan and apply; <= 0 keeps
	// relctl's default.
	Parallelism int
	// ProfileDir, when set, receives a CPU profile of each run
	// (RELCTL_CPUPROFILE), named <charts>-<scenario>.pprof.
	ProfileDir string
}

// Relctl runs `relctl args...` as a child process, as a workflow step would,
// and measures it. An exit code other than want is an error carrying the
// output.
func (r *Runner) Relctl(ctx context.Context, scenario string, want int, args ...string) (Run, error) {
	if r.Parallelism > 0 && (args[0] == "plan" || args[0] == "apply") {
		args = append(args, "--parallelism", strconv.Itoa(r.Parallelism))
	}
	cmd := exec.CommandContext(ctx, r.Bin, append([]string{"--chdir", r.Workspace.Dir, "--no-color"}, args...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + r.Home,
		"DOCKER_CONFIG=" + filepath.Join(r.Home, ".docker"),
		"TUF_ROOT=" + filepath.Join(r.Home, ".sigstore"),
		"GITHUB_API_URL=" + r.Sandbox.GitHubURL,
		"GITHUB_TOKEN=" + r.Sandbox.Token,
		"GITHUB_SHA=" + Commit,
		"COSIGN_PASSWORD=" + keyPassword,
	}
	if r.Sandbox.RegistryUsername != "" {
		cmd.Env = append(cmd.Env,
			"RELCTL_REGISTRY_USERNAME="+r.Sandbox.RegistryUsername,
			"RELCTL_REGISTRY_PASSWORD="+r.Sandbox.RegistryPassword)
	}
	if r.ProfileDir != "" {
		name := fmt.Sprintf("%d-%s.pprof", len(r.Workspace.Charts), strings.ReplaceAll(scenario, " ", "-"))
		cmd.Env = append(cmd.Env, "RELCTL_CPUPROFILE="+filepath.Join(r.ProfileDir, name))
	}
	if !r.Workspace.Git {
		// No checkout to take the package time from: fix it, as the demo
		// does, so that packages are reproducible.
		cmd.Env = append(cmd.Env, "SOURCE_DATE_EPOCH=1767225600")
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	r.Sandbox.Take()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Run{}, fmt.Errorf("start relctl: %w", err)
	}
	done := make(chan struct{})
	rss := peakRSS(cmd.Process.Pid, done, 5*time.Millisecond)
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	run := Run{Scenario: scenario, Charts: len(r.Workspace.Charts), Wall: wall, MaxRSS: <-rss, Traffic: r.Sandbox.Take()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
	default:
		return run, fmt.Errorf("relctl %s: %w", strings.Join(args, " "), err)
	}
	if ps := cmd.ProcessState; ps != nil {
		// The child's own time plus that of the children it waited for
		// (git): what the workflow step costs.
		run.CPU = ps.UserTime() + ps.SystemTime()
		if code := ps.ExitCode(); code != want {
			return run, fmt.Errorf("relctl %s exited %d, want %d:\n%s", strings.Join(args, " "), code, want, tail(out.String(), 3000))
		}
	}
	return run, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// BuildRelctl builds cmd/relctl of the module this package belongs to into
// dir and returns the binary's path.
func BuildRelctl(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	bin := filepath.Join(dir, "relctl")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/relctl")
	cmd.Dir = strings.TrimSpace(string(root))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/relctl: %w\n%s", err, out)
	}
	return bin, nil
}
