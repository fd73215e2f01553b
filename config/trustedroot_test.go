package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func trustedRootSpec(path string) string {
	return minimalSpec + "signing {\n  fulcio_url   = \"https://fulcio.example.internal\"\n  rekor_url    = \"https://rekor.example.internal\"\n  trusted_root = \"" + path + "\"\n  identity {\n    subject_regexp = \"^https://github.com/acme/\"\n  }\n}\n"
}

func TestLoad_trustedRootIsResolvedBesideTheSpec(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "trusted_root.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, withPodinfo(map[string]string{
		"relctl.hcl":                 trustedRootSpec("sigstore/trusted_root.json"),
		"sigstore/trusted_root.json": string(data),
	}))
	p := NewParser()
	spec, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
	if diags.HasErrors() {
		t.Fatal(render(t, p, diags))
	}
	if want := filepath.Join(dir, "sigstore", "trusted_root.json"); spec.Signing.TrustedRoot != want {
		t.Errorf("TrustedRoot = %q, want %q", spec.Signing.TrustedRoot, want)
	}
	if spec.Signing.FulcioURL != "https://fulcio.example.internal" || spec.Signing.RekorURL != "https://rekor.example.internal" {
		t.Errorf("Fulcio %q, Rekor %q: want the spec's", spec.Signing.FulcioURL, spec.Signing.RekorURL)
	}
}

// TestLoad_trustedRootThatCannotBeUsedIsAnErrorAtItsLine: a wrong trust
// file would otherwise surface at the first verification, after a push.
func TestLoad_trustedRootThatCannotBeUsedIsAnErrorAtItsLine(t *testing.T) {
	for name, c := range map[string]struct{ file, want string }{
		"missing":     {"", "Unreadable trusted_root"},
		"not JSON":    {"not json", "is not a Sigstore trusted root"},
		"other JSON":  {`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`, "is not a Sigstore trusted root"},
		"trusts none": {`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`, "lists no certificate authority and no transparency log"},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{"relctl.hcl": trustedRootSpec("trusted_root.json")}
			if c.file != "" {
				files["trusted_root.json"] = c.file
			}
			dir := writeTree(t, withPodinfo(files))
			p := NewParser()
			_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
			if len(diags.Errs()) != 1 {
				t.Fatalf("want one error, got:\n%s", render(t, p, diags))
			}
			got := diags.Errs()[0].Error()
			if !strings.Contains(got, c.want) || !strings.Contains(got, "relctl.hcl:11") || !strings.Contains(got, filepath.Join(dir, "trusted_root.json")) {
				t.Errorf("error:\n%s\nwant %q at relctl.hcl:11, naming the file", got, c.want)
			}
		})
	}
}
