package config

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

const fullSpec = `variable "owner" {
  type    = string
  default = "Acme"
  validation {
    condition     = length(var.owner) > 0
    error_message = "owner must not be empty."
  }
}

variable "latest" {
  type    = bool
  default = false
}

locals {
  repo = "${local.org}/charts"
}

locals {
  org = lower(var.owner)
}

registry {
  repository  = "oci.example.com:5000/${local.repo}/"
  insecure    = true
  on_conflict = "skip"
}

github {
  repository        = "${var.owner}/charts"
  make_latest       = var.latest
  on_asset_conflict = "replace"
  update_notes      = false
}

signing {
  mode        = "key"
  key         = "keys/cosign.key"
  fulcio_url  = "https://fulcio.example.com/"
  rekor_url   = "https://rekor.example.com"
  tlog_upload = false
  on_failure  = "warn"
  identity {
    issuer         = "https://issuer.example.com"
    subject_regexp = "^https://github.com/acme/"
  }
}

retry {
  attempts    = 3
  min_backoff = "500ms"
  max_backoff = "2m"
}

charts {
  dir          = "charts"
  only_changed = true
}

chart "podinfo" {
  path = "deploy/podinfo"
}

release {
  tag            = "${chart.name}/v${chart.version}"
  title          = "${upper(chart.name)} ${chart.version} (app ${chart.app_version}) in ${chart.path}"
  assets         = ["README.md", "LICENSE"]
  files          = ["docs/*.pdf", "./notes/../extra.txt"]
  notes_template = file("notes.tmpl")
  atomic         = false
  lineage        = false

  asset "CHANGELOG.md" {}
  asset "README.md" {
    required = true
  }
}
`

func TestLoad_fullSpecEvaluatesEveryBlock(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"relctl.hcl":                         fullSpec,
		"notes.tmpl":                         "{{ .Chart.Name }} notes\n",
		"charts/alpha/Chart.yaml":            chartYAML("alpha", "1.0.0"),
		"charts/alpha/charts/sub/Chart.yaml": chartYAML("sub", "0.1.0"),
		"charts/group/beta/Chart.yaml":       chartYAML("beta", "2.0.0-rc.1") + "appVersion: \"9.9\"\n",
		"charts/.hidden/x/Chart.yaml":        chartYAML("hidden", "1.0.0"),
		"charts/not-a-chart/README.md":       "nothing here",
		"deploy/podinfo/Chart.yaml":          chartYAML("podinfo", "6.5.0+build.1") + "appVersion: 6.5.0\ndescription: A chart\n",
	})

	got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil))

	want := &Spec{
		Dir:   dir,
		Files: []string{"relctl.hcl"},
		Registry: Registry{
			Repository: "oci.example.com:5000/acme/charts",
			Host:       "oci.example.com:5000",
			Insecure:   true,
			OnConflict: ConflictSkip,
		},
		GitHub: &GitHub{
			Repository:      "Acme/charts",
			Owner:           "Acme",
			Name:            "charts",
			MakeLatest:      false,
			OnAssetConflict: AssetConflictReplace,
			UpdateNotes:     false,
		},
		Signing: Signing{
			Mode:       SigningKey,
			Key:        filepath.Join(dir, "keys", "cosign.key"),
			Identity:   Identity{Issuer: "https://issuer.example.com", SubjectRegexp: "^https://github.com/acme/"},
			FulcioURL:  "https://fulcio.example.com",
			RekorURL:   "https://rekor.example.com",
			TlogUpload: false,
			Format:     FormatLegacy,
			OnFailure:  SigningFailureWarn,
		},
		Release: Release{
			Atomic: false,
			Assets: []Asset{
				{Name: "README.md", Required: true},
				{Name: "LICENSE"},
				{Name: "CHANGELOG.md", Required: true},
			},
			Files:         []string{"docs/*.pdf", "extra.txt"},
			NotesTemplate: "{{ .Chart.Name }} notes\n",
		},
		Retry:     Retry{Attempts: 3, MinBackoff: 500 * time.Millisecond, MaxBackoff: 2 * time.Minute},
		Discovery: &Discovery{Dir: "charts", OnlyChanged: true},
		Charts: []Chart{
			{
				Name: "alpha", Version: "1.0.0",
				Dir: filepath.Join(dir, "charts", "alpha"), RelDir: "charts/alpha",
				Tag: "alpha/v1.0.0", Title: "ALPHA 1.0.0 (app ) in charts/alpha",
			},
			{
				Name: "beta", Version: "2.0.0-rc.1",
				Dir: filepath.Join(dir, "charts", "group", "beta"), RelDir: "charts/group/beta",
				Tag: "beta/v2.0.0-rc.1", Title: "BETA 2.0.0-rc.1 (app 9.9) in charts/group/beta",
				Prerelease: true,
			},
			{
				Name: "podinfo", Version: "6.5.0+build.1",
				Dir: filepath.Join(dir, "deploy", "podinfo"), RelDir: "deploy/podinfo",
				Tag: "podinfo/v6.5.0+build.1", Title: "PODINFO 6.5.0+build.1 (app 6.5.0) in deploy/podinfo",
			},
		},
	}
	want.Digest = specFileDigest(t, dir)
	if diff := cmp.Diff(want, got, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("Spec differs (-want +got):\n%s", diff)
	}
}

func TestLoad_withoutOptionalBlocksAppliesDefaults(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": minimalSpec}))

	got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil))

	want := &Spec{
		Dir:      dir,
		Files:    []string{"relctl.hcl"},
		Registry: Registry{Repository: "ghcr.io/acme/charts", Host: "ghcr.io", OnConflict: ConflictFail},
		Signing:  Signing{Mode: SigningNone},
		Release: Release{
			Atomic:  true,
			Lineage: true,
			Assets:  []Asset{{Name: "CHANGELOG.md"}, {Name: "README.md"}, {Name: "LICENSE"}},
		},
		Retry: Retry{Attempts: 5, MinBackoff: time.Second, MaxBackoff: time.Minute},
		Charts: []Chart{{
			Name: "podinfo", Version: "6.5.0",
			Dir: filepath.Join(dir, "podinfo"), RelDir: "podinfo",
			Tag: "podinfo-v6.5.0", Title: "podinfo: v6.5.0",
		}},
	}
	want.Digest = specFileDigest(t, dir)
	if diff := cmp.Diff(want, got, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("Spec differs (-want +got):\n%s", diff)
	}
}

func TestLoad_emptyBlocksApplyBlockDefaults(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"relctl.hcl": `registry {
  repository = "localhost:5000"
}
github {
  repository = "acme/charts"
}
signing {
  identity {
    subject_regexp = "^https://github.com/acme/charts/"
  }
}
retry {}
charts {}
release {}
`,
		"charts/podinfo/Chart.yaml": chartYAML("podinfo", "1.0.0"),
	})

	got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil))

	if diff := cmp.Diff(Registry{Repository: "localhost:5000", Host: "localhost:5000", OnConflict: ConflictFail}, got.Registry, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("Registry (-want +got):\n%s", diff)
	}
	wantGH := &GitHub{Repository: "acme/charts", Owner: "acme", Name: "charts", OnAssetConflict: AssetConflictFail, UpdateNotes: true}
	if diff := cmp.Diff(wantGH, got.GitHub, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("GitHub (-want +got):\n%s", diff)
	}
	wantSigning := Signing{
		Mode:       SigningKeyless,
		Identity:   Identity{Issuer: DefaultIssuer, SubjectRegexp: "^https://github.com/acme/charts/"},
		FulcioURL:  DefaultFulcioURL,
		RekorURL:   DefaultRekorURL,
		TlogUpload: true,
		Format:     FormatLegacy,
		OnFailure:  SigningFailureFail,
	}
	if diff := cmp.Diff(wantSigning, got.Signing, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("Signing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&Discovery{Dir: "charts"}, got.Discovery, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("Discovery (-want +got):\n%s", diff)
	}
	if got.Retry != (Retry{Attempts: 5, MinBackoff: time.Second, MaxBackoff: time.Minute}) {
		t.Errorf("Retry = %+v", got.Retry)
	}
	if !got.Release.Atomic || !got.Release.Lineage || len(got.Release.Assets) != 3 {
		t.Errorf("Release = %+v, want atomic with the three default assets", got.Release)
	}
}

func TestLoad_chartDeclRangePointsAtDeclaringBlock(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": minimalSpec}))

	got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil))

	r := got.Charts[0].DeclRange
	if r.Filename != "relctl.hcl" || r.Start.Line != 5 {
		t.Errorf("DeclRange = %s, want relctl.hcl line 5 (the chart block)", r)
	}
}

func TestLoad_keyReferencesPassThroughUnchanged(t *testing.T) {
	for _, key := range []string{"env://COSIGN_KEY", "awskms:///alias/charts", "hashivault://charts", "k8s://ns/secret"} {
		t.Run(key, func(t *testing.T) {
			dir := writeTree(t, withPodinfo(map[string]string{
				"relctl.hcl": minimalSpec + "signing {\n  mode = \"key\"\n  key = \"" + key + "\"\n}\n",
			}))
			got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil))
			if got.Signing.Key != key {
				t.Errorf("Key = %q, want %q", got.Signing.Key, key)
			}
		})
	}
}

func TestLoad_secondLoadForgetsFirstSources(t *testing.T) {
	first := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": minimalSpec}))
	second := writeTree(t, withPodinfo(map[string]string{
		"relctl.hcl": "registry {\n  repository = \"ghcr.io/other/charts\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n",
	}))
	p := NewParser()
	if _, diags := p.Load(hermetic(LoadOptions{Dir: first}, nil)); diags.HasErrors() {
		t.Fatal(diags)
	}
	spec, diags := p.Load(hermetic(LoadOptions{Dir: second}, nil))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if spec.Registry.Repository != "ghcr.io/other/charts" {
		t.Errorf("Repository = %q, want the second spec's", spec.Registry.Repository)
	}
}

func TestLoad_signingPublicKeyIsResolvedBesideTheSpec(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"relctl.hcl":         "registry {\n  repository = \"ghcr.io/acme/charts\"\n}\nsigning {\n  mode       = \"key\"\n  key        = \"env://COSIGN_KEY\"\n  public_key = \"keys/cosign.pub\"\n}\nchart \"podinfo\" {\n  path = \"podinfo\"\n}\n",
		"podinfo/Chart.yaml": chartYAML("podinfo", "1.0.0"),
	})
	spec, diags := NewParser().Load(LoadOptions{Dir: dir, Getenv: func(string) string { return "" }})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if spec.Signing.Key != "env://COSIGN_KEY" || spec.Signing.PublicKey != filepath.Join(dir, "keys", "cosign.pub") {
		t.Fatalf("Signing = %+v", spec.Signing)
	}
}

// specFileDigest is what `sha256sum relctl.hcl` prints for the spec in dir.
func specFileDigest(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
