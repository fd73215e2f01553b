package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/git"
	"github.com/relctl/relctl/state"
)

// loadSpec loads relctl.hcl and prints its diagnostics (warnings too).
func loadSpec(g *globals, env *Env) (*config.Spec, error) {
	dir, err := g.dir()
	if err != nil {
		return nil, exitWith(exitError, err)
	}
	p := config.NewParser()
	spec, diags := p.Load(config.LoadOptions{
		Dir:      dir,
		Vars:     g.vars,
		VarFiles: g.varFiles,
		Getenv:   env.Getenv,
		Environ:  env.Environ,
	})
	if len(diags) > 0 {
		var buf bytes.Buffer
		if err := p.WriteDiagnostics(&buf, diags, g.style(env).Color); err != nil {
			return nil, exitWith(exitError, err)
		}
		env.Stderr.Write(buf.Bytes())
	}
	if diags.HasErrors() {
		return nil, exitWith(exitError, nil)
	}
	return spec, nil
}

// selectCharts narrows the spec to the charts changed since base when
// charts { only_changed = true } and --all is not given.
func selectCharts(ctx context.Context, spec *config.Spec, base string, all bool, env *Env) error {
	if all || spec.Discovery == nil || !spec.Discovery.OnlyChanged {
		return nil
	}
	if base == "" {
		if ref := env.Getenv("GITHUB_BASE_REF"); ref != "" {
			base = "origin/" + ref
		}
	}
	if base == "" {
		return errors.New("charts.only_changed = true needs a base to compare with: pass --base REF (or --all to take every chart)")
	}
	files, err := git.ChangedSince(ctx, spec.Dir, base)
	if err != nil {
		return fmt.Errorf("find charts changed since %s: %w", base, err)
	}
	kept := spec.Charts[:0]
	for _, c := range spec.Charts {
		prefix := c.Dir + string(filepath.Separator)
		for _, f := range files {
			if strings.HasPrefix(f, prefix) || resolved(f, prefix) {
				kept = append(kept, c)
				break
			}
		}
	}
	spec.Charts = kept
	return nil
}

// resolved compares through symlinks (a temp dir under /tmp may be a link).
func resolved(file, prefix string) bool {
	rf, err1 := filepath.EvalSymlinks(filepath.Dir(file))
	rp, err2 := filepath.EvalSymlinks(strings.TrimSuffix(prefix, string(filepath.Separator)))
	if err1 != nil || err2 != nil {
		return false
	}
	return rf == rp || strings.HasPrefix(rf, rp+string(filepath.Separator))
}

// commit is the commit being released: GITHUB_SHA in Actions, else HEAD of
// the checkout, else unknown (GitHub then tags the default branch).
func commit(ctx context.Context, spec *config.Spec, env *Env) string {
	if sha := env.Getenv("GITHUB_SHA"); sha != "" {
		return sha
	}
	head, err := git.Head(ctx, spec.Dir)
	if err != nil {
		return ""
	}
	return head
}

// ciRun is the GitHub Actions run relctl runs in, from its environment,
// which a provenance attestation records; empty outside Actions.
func ciRun(env *Env) state.Run {
	return state.Run{
		ServerURL:   env.Getenv("GITHUB_SERVER_URL"),
		Repository:  env.Getenv("GITHUB_REPOSITORY"),
		WorkflowRef: env.Getenv("GITHUB_WORKFLOW_REF"),
		RunID:       env.Getenv("GITHUB_RUN_ID"),
		RunAttempt:  env.Getenv("GITHUB_RUN_ATTEMPT"),
	}
}

// commitTime is sha's committer time, zero when git cannot say (no git, a
// shallow clone without it): the index then dates entries by package time.
func commitTime(ctx context.Context, spec *config.Spec, sha string) time.Time {
	if sha == "" {
		return time.Time{}
	}
	t, err := git.CommitTime(ctx, spec.Dir, sha)
	if err != nil {
		return time.Time{}
	}
	return t
}
