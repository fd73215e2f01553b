package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/git"
	"github.com/relctl/relctl/providers/github/githubtest"
)

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// chartReleaserRepo makes h.dir a repository as chart-releaser leaves it:
// charts/, cr.yaml, a workflow running helm/chart-releaser-action, a
// gh-pages branch with the index, and releases tagged <chart>-<version>.
func chartReleaserRepo(t *testing.T, h *harness) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	h.chart("podinfo", "1.2.0")
	h.chart("redis", "0.3.1")
	h.write("cr.yaml", "skip-existing: true\nrelease-name-template: \"{{ .Name }}-{{ .Version }}\"\n")
	h.write(".github/workflows/release.yaml", `name: Release Charts
on:
  push:
    branches: [main]
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Run chart-releaser
        uses: helm/chart-releaser-action@v1.6.0
        with:
          charts_dir: charts
          mark_as_latest: false
          pages_branch: gh-pages
          config: cr.yaml
        env:
          CR_TOKEN: "${{ secrets.GITHUB_TOKEN }}"
`)
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.email", "t@example.com"},
		{"config", "user.name", "t"},
		{"add", "."},
		{"commit", "-qm", "charts"},
		{"remote", "add", "origin", "https://github.com/acme/charts.git"},
		{"checkout", "-q", "--orphan", "gh-pages"},
		{"rm", "-rfq", "."},
	} {
		gitIn(t, h.dir, args...)
	}
	h.write("index.yaml", "apiVersion: v1\nentries: {}\n")
	gitIn(t, h.dir, "add", "index.yaml")
	gitIn(t, h.dir, "commit", "-qm", "index")
	gitIn(t, h.dir, "checkout", "-q", "main")
	// The versions in charts/ carry `helm package`'s archive of those
	// files, as chart-releaser uploads it; an older one, no longer in the
	// folder, a stand-in.
	seedCRRelease(h, "podinfo", "1.1.0", []byte("chart-releaser's package of podinfo-1.1.0"))
	seedCRRelease(h, "podinfo", "1.2.0", helmPackage(t, h, "podinfo"))
	seedCRRelease(h, "redis", "0.3.1", helmPackage(t, h, "redis"))
}

func TestInit_chartReleaserRepositoryMapsEverySettingAndPlans(t *testing.T) {
	h := newHarness(t)
	chartReleaserRepo(t, h)
	registry := h.reg.Host + "/acme/charts"

	code, out, errOut := h.relctl("init", "--registry", registry)
	t.Logf("init exited %d:\n%s\n%s", code, out, errOut)
	hcl, err := os.ReadFile(filepath.Join(h.dir, "relctl.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	spec := string(hcl)
	for _, want := range []string{
		`repository = "` + registry + `"`,
		`repository   = "acme/charts"`,
		`make_latest  = false`,
		`update_notes = false`,
		`mode = "keyless"`,
		`subject_regexp = "^https://github\\.com/acme/charts/\\.github/workflows/relctl-apply\\.yaml@"`,
		`dir = "charts"`,
		`tag   = "${chart.name}-${chart.version}"`,
		`title = "${chart.name}-${chart.version}"`,
	} {
		if !strings.Contains(spec, want) {
			t.Errorf("relctl.hcl lacks %s:\n%s", want, spec)
		}
	}
	// The pages branch holds chart-releaser's index: relctl keeps it from
	// now on, at GitHub Pages' default URL for the repository.
	if !strings.Contains(spec, "helm_repository {\n  url = \"https://acme.github.io/charts\"\n}") {
		t.Errorf("relctl.hcl lacks the helm_repository block of the gh-pages index:\n%s", spec)
	}
	for _, want := range []string{
		"skip_existing = true (cr.yaml): no setting needed",
		"mark_as_latest = false (.github/workflows/release.yaml) → github.make_latest = false",
		`release_name_template = "{{ .Name }}-{{ .Version }}" (cr.yaml) → release.tag and release.title = "${chart.name}-${chart.version}"`,
		"pages_branch = gh-pages (.github/workflows/release.yaml) holds index.yaml, a classic chart repository: relctl keeps it from now on (helm_repository, url https://acme.github.io/charts)",
		"update_notes = false",
		".github/workflows/relctl-apply.yaml",
		"Remove the chart-releaser step from .github/workflows/release.yaml",
		"$ relctl plan",
		"What this plan means:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q", want)
		}
	}
	for _, wf := range []string{"relctl-plan.yaml", "relctl-apply.yaml", "relctl-drift.yaml"} {
		b, err := os.ReadFile(filepath.Join(h.dir, ".github", "workflows", wf))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parseWorkflow(b)
		if err != nil {
			t.Fatalf("%s: %v", wf, err)
		}
		inv := relctlInvocations(parsed)
		if len(inv) == 0 {
			t.Errorf("%s does not use the action", wf)
		}
		for _, args := range inv {
			if err := checkInvocation(testRoot(), args); err != nil {
				t.Errorf("%s: %v", wf, err)
			}
		}
	}
	h.mustRelctl(exitOK, "validate")

	// The releases chart-releaser published are never changed: the plan
	// adds OCI pushes, signatures and assets. chart-releaser's own .tgz
	// (other bytes than relctl's reproducible package, the same chart
	// files) is adopted, so nothing is blocked.
	for _, want := range []string{
		"Additions: 2 chart push(es) to the registry, 2 signature(s), 0 new release(s)",
		"No published release changes.",
		"2 release(s) already carry the chart's .tgz, packaged by another tool from the same chart files",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan's explanation lacks %q", want)
		}
	}
	if !strings.Contains(out, "0 to update, 0 to replace, 0 blocked.") {
		t.Error("the plan has updates, replacements or blocked changes")
	}
	_, explanation, _ := strings.Cut(out, "What this plan means:")
	for _, unwanted := range []string{"blocked", "cannot adopt"} {
		if strings.Contains(explanation, unwanted) {
			t.Errorf("the plan's explanation says %q:\n%s", unwanted, explanation)
		}
	}
	if code != exitOK {
		t.Errorf("init exited %d on a plan of additions only, want 0", code)
	}
	for _, r := range h.gh.Releases("acme", "charts") {
		if r.Body != "the "+strings.Split(r.TagName, "-")[0]+" chart" || len(r.Assets) != 1 {
			t.Errorf("init changed release %s: body %q, %d assets", r.TagName, r.Body, len(r.Assets))
		}
	}
	if n := h.gh.Mutations(); n != 0 {
		t.Errorf("init made %d writes to GitHub", n)
	}
}

func TestInit_neverOverwritesWithoutForce(t *testing.T) {
	h := newHarness(t)
	chartReleaserRepo(t, h)
	h.write(".github/workflows/relctl-plan.yaml", "# mine\n")
	code, _, errOut := h.relctl("init", "--registry", h.reg.Host+"/acme/charts")
	if code != exitError || !strings.Contains(errOut, ".github/workflows/relctl-plan.yaml already exist(s): nothing was written") {
		t.Fatalf("init over an existing workflow: exit %d\n%s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(h.dir, ".github", "workflows", "relctl-plan.yaml")); string(b) != "# mine\n" {
		t.Errorf("the existing workflow was overwritten: %q", b)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "relctl.hcl")); err == nil {
		t.Error("relctl.hcl was written although init refused")
	}
	h.env["GITHUB_TOKEN"] = "" // and without a token, init writes but does not plan
	code, out, errOut := h.relctl("init", "--force", "--registry", h.reg.Host+"/acme/charts")
	if code != exitOK || !strings.Contains(out, "set GITHUB_TOKEN and run relctl plan") {
		t.Fatalf("init --force: exit %d\n%s\n%s", code, out, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(h.dir, ".github", "workflows", "relctl-plan.yaml")); string(b) == "# mine\n" {
		t.Error("init --force left the old workflow")
	}
}

// Without a chart-releaser config to say so, the tag template is read from
// the repository's releases: <chart>-<version> tags keep that form, and
// <chart>-v<version> tags keep relctl's default.
func TestInit_tagTemplateFollowsExistingReleaseTags(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for _, c := range []struct {
		tags []string
		want string // release block; "" means none (relctl's default)
	}{
		{[]string{"podinfo-1.1.0", "podinfo-1.2.0", "app-v3.0.0"}, `tag   = "${chart.name}-${chart.version}"`},
		{[]string{"podinfo-v1.1.0", "podinfo-v1.2.0", "podinfo-1.0.0"}, ""},
	} {
		h := newHarness(t)
		h.chart("podinfo", "1.2.0")
		for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"remote", "add", "origin", "git@github.com:acme/charts.git"}} {
			gitIn(t, h.dir, args...)
		}
		for _, tag := range c.tags {
			h.gh.SeedRelease("acme", "charts", githubtest.Release{TagName: tag})
		}
		code, out, errOut := h.relctl("init", "--registry", h.reg.Host+"/acme/charts")
		hcl, _ := os.ReadFile(filepath.Join(h.dir, "relctl.hcl"))
		if c.want == "" {
			if strings.Contains(string(hcl), "release {") || !strings.Contains(out, "2 of 3 releases are tagged <chart>-v<version>") {
				t.Errorf("tags %v: init exit %d wrote\n%s\n%s%s", c.tags, code, hcl, out, errOut)
			}
			continue
		}
		if !strings.Contains(string(hcl), c.want) || !strings.Contains(out, "2 of 3 releases are tagged <chart>-<version> (chart-releaser's)") {
			t.Errorf("tags %v: init exit %d wrote\n%s\n%s%s", c.tags, code, hcl, out, errOut)
		}
	}
}

// In a repository whose charts and relctl.hcl live in a subfolder, the
// workflows still go to the repository's .github/workflows, watch that
// folder, and run the action there.
func TestInit_inASubfolderWritesWorkflowsAtTheRepositoryRoot(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	h := newHarness(t)
	h.write("deploy/charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 0.1.0\n")
	for _, args := range [][]string{{"init", "-q", "-b", "trunk"}, {"remote", "add", "origin", "https://github.com/acme/platform"}} {
		gitIn(t, h.dir, args...)
	}
	h.env["GITHUB_TOKEN"] = ""
	code, out, errOut := h.relctl("--chdir", filepath.Join(h.dir, "deploy"), "init")
	if code != exitOK {
		t.Fatalf("init exited %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "deploy", "relctl.hcl")); err != nil {
		t.Error(err)
	}
	b, err := os.ReadFile(filepath.Join(h.dir, ".github", "workflows", "relctl-apply.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wf, err := parseWorkflow(b)
	if err != nil {
		t.Fatal(err)
	}
	push, _ := wf.On["push"].(map[string]any)
	if got := fmt.Sprint(push["paths"], push["branches"]); got != "[deploy/charts/** deploy/relctl.hcl] [trunk]" {
		t.Errorf("apply workflow watches %s", got)
	}
	var actions int
	for _, st := range wf.Jobs["apply"].Steps {
		if isRelctlAction(st.Uses) {
			actions++
			if st.With["working-directory"] != "deploy" {
				t.Errorf("the action runs in %v, want deploy", st.With["working-directory"])
			}
		}
	}
	if actions != 1 {
		t.Errorf("%d relctl action steps in the apply workflow, want 1", actions)
	}
	if !strings.Contains(out, "deploy/relctl.hcl") || !strings.Contains(out, `repository = "ghcr.io/acme/platform"`) && !strings.Contains(out, "ghcr.io/acme/platform/<chart>") {
		t.Errorf("init output:\n%s", out)
	}
}

func TestPagesURL_followsChartReleaserThenGitHubPagesDefaults(t *testing.T) {
	for _, tc := range []struct {
		owner, name, reposURL, want string
	}{
		{"Acme", "charts", "", "https://acme.github.io/charts"},
		{"acme", "acme.github.io", "", "https://acme.github.io"},
		{"acme", "charts", "https://charts.acme.dev/", "https://charts.acme.dev"},
	} {
		cr := &chartReleaser{Settings: map[string]crSetting{}}
		if tc.reposURL != "" {
			cr.Settings["charts_repo_url"] = crSetting{Value: tc.reposURL, Source: "cr.yaml"}
		}
		if got := pagesURL(git.Remote{Owner: tc.owner, Name: tc.name}, cr); got != tc.want {
			t.Errorf("pagesURL(%s/%s, charts_repo_url %q) = %q, want %q", tc.owner, tc.name, tc.reposURL, got, tc.want)
		}
	}
}

// A clone of one branch (actions/checkout's, or git clone --single-branch)
// has no gh-pages: init asks GitHub for the index instead of concluding
// there is none.
func TestInit_pagesBranchNotInTheCloneIsReadFromGitHub(t *testing.T) {
	for _, onGitHub := range []bool{true, false} {
		t.Run(fmt.Sprintf("on GitHub %v", onGitHub), func(t *testing.T) {
			h := newHarness(t)
			chartReleaserRepo(t, h)
			gitIn(t, h.dir, "branch", "-D", "gh-pages")
			if onGitHub {
				h.pushPagesFile("index.yaml", "apiVersion: v1\nentries: {}\n")
			}
			code, out, errOut := h.relctl("init", "--registry", h.reg.Host+"/acme/charts")
			t.Logf("init exited %d:\n%s\n%s", code, out, errOut)
			hcl, err := os.ReadFile(filepath.Join(h.dir, "relctl.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			block := "helm_repository {\n  url = \"https://acme.github.io/charts\"\n}"
			note := "pages_branch = gh-pages (.github/workflows/release.yaml) holds index.yaml on GitHub (the branch is not in this clone)"
			if onGitHub {
				if !strings.Contains(string(hcl), block) {
					t.Errorf("relctl.hcl lacks the helm_repository block of the index on GitHub:\n%s", hcl)
				}
				if !strings.Contains(out, note) {
					t.Errorf("init output lacks %q", note)
				}
				return
			}
			if strings.Contains(string(hcl), "helm_repository") {
				t.Errorf("relctl.hcl has a helm_repository block with no index anywhere:\n%s", hcl)
			}
			if want := "pages_branch = gh-pages (.github/workflows/release.yaml): no index.yaml on it"; !strings.Contains(out, want) {
				t.Errorf("init output lacks %q", want)
			}
		})
	}
}
