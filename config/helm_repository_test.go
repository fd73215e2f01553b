package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

const helmRepoBase = `
registry { repository = "ghcr.io/acme/charts" }
github { repository = "acme/charts" }
chart "podinfo" { path = "podinfo" }
`

func TestLoad_helmRepositoryDefaultsBranchAndPath(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": helmRepoBase + `
helm_repository { url = "https://acme.github.io/charts" }
`}))
	got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil)).HelmRepository
	want := &HelmRepository{URL: "https://acme.github.io/charts", Branch: "gh-pages", Path: "index.yaml"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("helm_repository (-want +got):\n%s", diff)
	}
}

func TestLoad_helmRepositoryAbsentMeansNoIndex(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": helmRepoBase}))
	if got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil)).HelmRepository; got != nil {
		t.Errorf("HelmRepository = %+v, want nil", got)
	}
}

func TestLoad_helmRepositoryRefusesWhatGitOrHelmCannotUse(t *testing.T) {
	for _, tc := range []struct {
		name, block, want string
	}{
		{"ftp url", `url = "ftp://acme/charts"`, `Invalid helm_repository url`},
		{"relative url", `url = "acme.github.io/charts"`, `Invalid helm_repository url`},
		{"branch with space", `url = "https://a.io"` + "\n branch = \"gh pages\"", `Invalid helm_repository branch`},
		{"branch with ..", `url = "https://a.io"` + "\n branch = \"a..b\"", `Invalid helm_repository branch`},
		{"branch .lock", `url = "https://a.io"` + "\n branch = \"pages.lock\"", `Invalid helm_repository branch`},
		{"path escaping", `url = "https://a.io"` + "\n path = \"../index.yaml\"", `Invalid helm_repository path`},
		{"absolute path", `url = "https://a.io"` + "\n path = \"/index.yaml\"", `Invalid helm_repository path`},
		{"missing url", ``, `Missing required argument`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": helmRepoBase + "\nhelm_repository {\n" + tc.block + "\n}\n"}))
			p := NewParser()
			spec, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
			if spec != nil || !diags.HasErrors() {
				t.Fatalf("Load accepted %s", tc.block)
			}
			if out := render(t, p, diags); !strings.Contains(out, tc.want) {
				t.Errorf("diagnostics lack %q:\n%s", tc.want, out)
			}
		})
	}
}

func TestLoad_helmRepositoryWithoutGitHubIsAnError(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": `
registry { repository = "ghcr.io/acme/charts" }
chart "podinfo" { path = "podinfo" }
helm_repository { url = "https://acme.github.io/charts" }
`}))
	p := NewParser()
	_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
	if out := render(t, p, diags); !strings.Contains(out, "helm_repository needs a github block") {
		t.Errorf("diagnostics:\n%s", out)
	}
}
