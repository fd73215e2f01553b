package provenance

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func inputs() Inputs {
	return Inputs{
		Repository:     "ghcr.io/acme/charts/podinfo",
		Manifest:       "sha256:" + strings.Repeat("ab", 32),
		Chart:          "podinfo",
		Version:        "6.5.0",
		Path:           "charts/podinfo",
		SpecPath:       "relctl.hcl",
		SpecDigest:     "sha256:" + strings.Repeat("cd", 32),
		PackageCreated: "2023-11-14T22:13:20Z",
		Source:         "acme/charts",
		Commit:         strings.Repeat("1f", 20),
		Dependencies: []Dependency{
			{Name: "redis", Version: "18.1.0", URI: "oci://registry-1.docker.io/bitnamicharts/redis", Digest: "sha256:" + strings.Repeat("22", 32)},
			{Name: "common", Version: "2.4.1", URI: "https://charts.example.com/common-2.4.1.tgz", Digest: "sha256:" + strings.Repeat("33", 32)},
		},
		Run: Run{
			Repository: "acme/charts", WorkflowRef: "acme/charts/.github/workflows/release.yaml@refs/heads/main",
			RunID: "4711", RunAttempt: "2", RelctlVersion: "1.4.0",
		},
	}
}

// TestStatement_isSLSAv1ProvenanceOfTheManifest pins the statement's bytes:
// what a consumer's policy (cosign verify-attestation --type
// slsaprovenance1, a CUE or Rego policy) reads.
func TestStatement_isSLSAv1ProvenanceOfTheManifest(t *testing.T) {
	got, err := Statement(inputs())
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "statement.golden.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("statement differs from %s (go test -update):\n%s", golden, pretty.Bytes())
	}
	for _, w := range []string{
		`"_type":"https://in-toto.io/Statement/v1"`,
		`"predicateType":"https://slsa.dev/provenance/v1"`,
		`"subject":[{"digest":{"sha256":"abab`,
		`"id":"https://github.com/acme/charts/.github/workflows/release.yaml@refs/heads/main"`,
		`"invocationId":"https://github.com/acme/charts/actions/runs/4711/attempts/2"`,
		`{"digest":{"gitCommit":"1f1f`,
	} {
		if !strings.Contains(string(got), w) {
			t.Errorf("statement lacks %s:\n%s", w, got)
		}
	}
}

// TestStatement_isTheSameBytesForTheSameInputs: no clock, no map order, no
// protojson whitespace: the dependencies in any order give one statement.
func TestStatement_isTheSameBytesForTheSameInputs(t *testing.T) {
	a, err := Statement(inputs())
	if err != nil {
		t.Fatal(err)
	}
	in := inputs()
	in.Dependencies[0], in.Dependencies[1] = in.Dependencies[1], in.Dependencies[0]
	for range 20 {
		b, err := Statement(in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("two statements of the same inputs differ:\n%s\n%s", a, b)
		}
	}
}

func TestStatement_outsideActionsNamesRelctlAsBuilderAndNoInvocation(t *testing.T) {
	in := inputs()
	in.Run = Run{}
	in.Source, in.Commit, in.Dependencies = "", "", nil
	b, err := Statement(in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, `"builder":{"id":"https://github.com/relctl/relctl#local"}`) || strings.Contains(s, "invocationId") || strings.Contains(s, "resolvedDependencies") {
		t.Errorf("statement outside Actions:\n%s", s)
	}
}

func TestStatement_refusesAManifestThatIsNotASHA256Digest(t *testing.T) {
	in := inputs()
	in.Manifest = "latest"
	if _, err := Statement(in); err == nil || !strings.Contains(err.Error(), "not sha256:<hex>") {
		t.Errorf("Statement(manifest latest) = %v, want a refusal", err)
	}
}

func TestCompare_sameBuildDefinitionIsTheSameProvenanceWhicheverRunMadeIt(t *testing.T) {
	want, _ := Statement(inputs())
	other := inputs()
	other.Run.RunID, other.Run.RunAttempt, other.Run.RelctlVersion = "9999", "1", "1.5.0"
	later, _ := Statement(other)

	changedSpec := inputs()
	changedSpec.SpecDigest = "sha256:" + strings.Repeat("ef", 32)
	changedCommit := inputs()
	changedCommit.Commit = strings.Repeat("2a", 20)
	changedCommit.Dependencies = changedCommit.Dependencies[:1]
	otherManifest := inputs()
	otherManifest.Manifest = "sha256:" + strings.Repeat("99", 32)
	a, _ := Statement(changedSpec)
	b, _ := Statement(changedCommit)
	c, _ := Statement(otherManifest)
	sbom := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"` + strings.Repeat("ab", 32) + `"}}],"predicateType":"https://spdx.dev/Document","predicate":{}}`)

	manifest := inputs().Manifest
	for _, tc := range []struct {
		name     string
		observed []byte
		same     bool
		diff     string
	}{
		{"itself", want, true, ""},
		{"another run", later, true, ""},
		{"spec changed", a, false, "externalParameters differ"},
		{"commit and dependencies changed", b, false, "resolvedDependencies differ"},
		{"another manifest", c, false, "its subject is not " + manifest},
		{"an SBOM", sbom, false, "predicate https://spdx.dev/Document, not SLSA v1 provenance"},
		{"not JSON", []byte("nope"), false, "not an in-toto statement"},
	} {
		same, diff, err := Compare(tc.observed, want, manifest)
		if err != nil || same != tc.same || diff != tc.diff {
			t.Errorf("%s: Compare = %t, %q, %v; want %t, %q", tc.name, same, diff, err, tc.same, tc.diff)
		}
	}
}
