package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/examples"
	"github.com/relctl/relctl/providers/cosign"
)

func demoCmd(g *globals, env *Env) *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole plan → apply → plan cycle on examples/basic against an in-process sandbox",
		Long: `Copy examples/basic to a temporary folder, start an in-memory OCI registry and
GitHub emulator, and narrate a release: plan, apply, plan again (no changes), a
chart changed without a version bump (blocked), the version bumped and
published, and a last apply that does nothing. Nothing leaves this machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), g, env, keep)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary working copy")
	return cmd
}

// demo is the state of one demo run.
type demo struct {
	ctx   context.Context
	env   *Env
	g     *globals
	dir   string
	sb    *sandbox
	vars  map[string]string
	step  int
	fails []string
}

func runDemo(ctx context.Context, g *globals, env *Env, keep bool) error {
	dir, err := os.MkdirTemp("", "relctl-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	if err := copyFS(examples.Basic, "basic", dir); err != nil {
		return fmt.Errorf("copy examples/basic: %w", err)
	}
	sb, err := startSandbox(ctx, sandboxOptions{repository: "acme/charts"})
	if err != nil {
		return fmt.Errorf("start sandbox: %w", err)
	}
	defer sb.close()

	// The merged pull request behind the release, with the attestations
	// its build made: they go into each release's lineage file.
	const commit = "5e1ec7ed0c0ffee5e1ec7ed0c0ffee5e1ec7ed0c"
	sb.github.SeedPull("acme", "charts", commit, 12, "Release podinfo, redis-cache and webapp.\n\n"+
		"```attestation-map\n{\"podinfo\": [\"https://github.com/acme/charts/attestations/4711\"]}\n```\n")

	password := "demo-password"
	if _, _, err := cosign.GenerateKeyPair(dir, []byte(password)); err != nil {
		return fmt.Errorf("generate a cosign key pair: %w", err)
	}
	d := &demo{ctx: ctx, env: env, g: g, dir: dir, sb: sb, vars: map[string]string{
		"GITHUB_API_URL":    sb.githubURL,
		"GITHUB_TOKEN":      sb.token,
		"GH_TOKEN":          "",
		"GITHUB_REPOSITORY": sb.repo,
		"COSIGN_PASSWORD":   password,
		// The demo folder is no git checkout: fix the package time so
		// that the digests shown are the same on every machine.
		"SOURCE_DATE_EPOCH":        "1767225600",
		"GITHUB_SHA":               commit,
		"GITHUB_STEP_SUMMARY":      "",
		"RELCTL_REGISTRY_USERNAME": "",
		"RELCTL_REGISTRY_PASSWORD": "",
		"SIGSTORE_ID_TOKEN":        "",
	}}
	st := g.style(env)
	out := env.Stdout
	fmt.Fprintf(out, "%s\n\n", st.Bold("relctl demo: a chart release, end to end, on this machine only"))
	fmt.Fprintf(out, "  sandbox:      %s\n", sb)
	fmt.Fprintf(out, "  working copy: %s (examples/basic: podinfo, redis-cache, webapp)\n", dir)
	fmt.Fprintf(out, "  signing:      a throwaway cosign key pair (cosign.key, cosign.pub)\n")

	d.section("Plan on a pull request: nothing is published yet, so everything is created")
	d.relctl(exitOK, "plan")
	d.section("Apply on merge: push, sign, draft releases, upload assets, confirm, publish")
	d.relctl(exitOK, "apply", "--auto-approve")
	d.section("Plan again: what is published matches the spec")
	d.relctl(exitOK, "plan", "--detailed-exitcode")

	d.section("A template changes, but the chart version does not")
	d.edit("charts/podinfo/templates/service.yaml", func(s string) string {
		return strings.Replace(s, "spec:\n", "spec:\n  type: ClusterIP\n", 1)
	})
	d.relctl(exitError, "plan")
	fmt.Fprintln(out, "\nrelctl refuses to publish other content under a published version: the plan is blocked and exits 1, so the pull request's check fails.")

	d.section("The version is bumped: podinfo 1.2.0 → 1.2.1")
	d.edit("charts/podinfo/Chart.yaml", func(s string) string { return strings.Replace(s, "version: 1.2.0", "version: 1.2.1", 1) })
	d.edit("charts/podinfo/CHANGELOG.md", func(s string) string {
		return strings.Replace(s, "## [1.2.0]", "## [1.2.1] - 2026-11-27\n\n### Changed\n- The Service is explicitly ClusterIP.\n\n## [1.2.0]", 1)
	})
	d.relctl(exitOK, "apply", "--auto-approve")

	d.section("Verify: registry digests = release packages, and every signature checks out")
	d.relctl(exitOK, "verify")

	d.section("Apply once more: idempotent")
	sb.registry.ResetRequests()
	sb.github.ResetLog()
	d.relctl(exitOK, "apply", "--auto-approve")
	fmt.Fprintf(out, "\nWrites during that run: registry %d, GitHub %d.\n", sb.registry.Writes(), sb.github.Mutations())

	d.section("What GitHub holds now")
	for _, r := range sb.github.Releases("acme", "charts") {
		state := "published"
		if r.Draft {
			state = "draft"
		}
		names := make([]string, len(r.Assets))
		for i, a := range r.Assets {
			names[i] = a.Name
		}
		fmt.Fprintf(out, "  %-22s %-9s %s\n", r.TagName, state, strings.Join(names, ", "))
	}
	for _, r := range sb.github.Releases("acme", "charts") {
		for _, a := range r.Assets {
			if r.TagName == "podinfo-v1.2.1" && a.Name == "podinfo-attestation-lineage.json" {
				fmt.Fprintf(out, "\n%s of %s, the ledger of what was released:\n%s", a.Name, r.TagName, a.Data)
			}
		}
	}
	d.section("The chart repository users `helm repo add`")
	d.showIndex()
	if len(d.fails) > 0 {
		return exitWith(exitError, fmt.Errorf("demo: %s", strings.Join(d.fails, "; ")))
	}
	fmt.Fprintf(out, "\n%s\n", st.Green(st.Bold("Demo complete.")))
	return nil
}

func (d *demo) section(title string) {
	d.step++
	fmt.Fprintf(d.env.Stdout, "\n%s\n", d.g.style(d.env).Bold(fmt.Sprintf("━━ %d. %s", d.step, title)))
}

// relctl runs a relctl command in the working copy against the sandbox,
// as a user would type it, and records an unexpected exit code.
func (d *demo) relctl(want int, args ...string) {
	fmt.Fprintf(d.env.Stdout, "\n$ relctl %s\n", strings.Join(args, " "))
	full := append([]string{"--chdir", d.dir,
		"--var", "registry=" + d.sb.registry.Host + "/acme/charts",
		"--var", "signing_mode=key",
		"--var", "pages_url=" + d.sb.pagesURL(),
		// The sandbox has no transparency log, and the demo must not
		// reach the public one.
		"--var", "tlog_upload=false"}, args...)
	if d.g.noColor {
		full = append(full, "--no-color")
	}
	sub := *d.env
	sub.Getenv = func(k string) string {
		if v, ok := d.vars[k]; ok {
			return v
		}
		return d.env.Getenv(k)
	}
	if got := run(d.ctx, full, &sub); got != want {
		d.fails = append(d.fails, fmt.Sprintf("relctl %s exited %d, expected %d", strings.Join(args, " "), got, want))
	}
}

func (d *demo) edit(rel string, change func(string) string) {
	path := filepath.Join(d.dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(path)
	if err == nil {
		err = os.WriteFile(path, []byte(change(string(b))), 0o644)
	}
	if err != nil {
		d.fails = append(d.fails, fmt.Sprintf("edit %s: %v", rel, err))
		return
	}
	fmt.Fprintf(d.env.Stdout, "\n(edited %s)\n", rel)
}

// copyFS copies the tree under root of fsys into dir.
func copyFS(fsys fs.FS, root, dir string) error {
	return fs.WalkDir(fsys, root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		target := filepath.Join(dir, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
