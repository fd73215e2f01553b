package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestLoad_pkcs11KeyIsRefusedAtTheKeyAttribute: cosign in relctl has no
// PKCS#11 support, so such a key would fail only at the first signature.
func TestLoad_pkcs11KeyIsRefusedAtTheKeyAttribute(t *testing.T) {
	for _, attr := range []string{"key", "public_key"} {
		dir := writeTree(t, withPodinfo(map[string]string{
			"relctl.hcl": minimalSpec + "signing {\n  mode = \"key\"\n  key = \"cosign.key\"\n  " + attr + " = \"pkcs11:token=ci;slot-id=0;object=charts?module-path=/usr/lib/softhsm.so\"\n}\n",
		}))
		if attr == "key" {
			dir = writeTree(t, withPodinfo(map[string]string{
				"relctl.hcl": minimalSpec + "signing {\n  mode = \"key\"\n  key = \"pkcs11:token=ci;slot-id=0;object=charts\"\n}\n",
			}))
		}
		p := NewParser()
		_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
		if len(diags.Errs()) != 1 {
			t.Fatalf("%s = pkcs11:…: want one error, got:\n%s", attr, render(t, p, diags))
		}
		got := diags.Errs()[0].Error()
		line := map[string]string{"key": "relctl.hcl:10,9-", "public_key": "relctl.hcl:11,16-"}[attr]
		if !strings.Contains(got, "pkcs11 keys are not supported: use a file, env:// or a KMS key") || !strings.Contains(got, line) {
			t.Errorf("%s = pkcs11:…: error %q, want the pkcs11 refusal at %s", attr, got, line)
		}
	}
}

// TestLoad_provenanceIsOptInAndNeedsSigning: provenance is off unless asked,
// read as a bool, and refused at its line when nothing would sign it.
func TestLoad_provenanceIsOptInAndNeedsSigning(t *testing.T) {
	key := "signing {\n  mode = \"key\"\n  key = \"cosign.key\"\n%s}\n"
	for _, tc := range []struct {
		name, block string
		want        bool
	}{
		{"absent", fmt.Sprintf(key, ""), false},
		{"true", fmt.Sprintf(key, "  provenance = true\n"), true},
		{"false", fmt.Sprintf(key, "  provenance = false\n"), false},
	} {
		dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": minimalSpec + tc.block}))
		spec := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil))
		if spec.Signing.Provenance != tc.want {
			t.Errorf("%s: Provenance = %t, want %t", tc.name, spec.Signing.Provenance, tc.want)
		}
		if !strings.HasPrefix(spec.Digest, "sha256:") || len(spec.Digest) != 71 {
			t.Errorf("%s: spec digest %q, want sha256:<hex> of relctl.hcl", tc.name, spec.Digest)
		}
	}

	for _, tc := range []struct{ block, want, line string }{
		{"signing {\n  mode = \"none\"\n  provenance = true\n}\n", "with mode = \"none\" nothing signs it", "relctl.hcl:10,16-20"},
		{"signing {\n  mode = \"key\"\n  key = \"cosign.key\"\n  provenance = \"yes\"\n}\n", "provenance", "relctl.hcl:11,16-"},
	} {
		dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": minimalSpec + tc.block}))
		p := NewParser()
		_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
		if len(diags.Errs()) != 1 {
			t.Fatalf("%q: want one error, got:\n%s", tc.block, render(t, p, diags))
		}
		got := diags.Errs()[0].Error()
		if !strings.Contains(got, tc.want) || !strings.Contains(got, tc.line) {
			t.Errorf("%q: error %q, want %q at %s", tc.block, got, tc.want, tc.line)
		}
	}
}

func TestLoad_signingFormatDefaultsToLegacyAndTakesBundleOrBoth(t *testing.T) {
	for _, tc := range []struct {
		attr string
		want SignatureFormat
	}{
		{"", FormatLegacy},
		{`format = "legacy"`, FormatLegacy},
		{`format = "bundle"`, FormatBundle},
		{`format = "both"`, FormatBoth},
	} {
		dir := writeTree(t, withPodinfo(map[string]string{
			"relctl.hcl": minimalSpec + "signing {\n  mode = \"key\"\n  key = \"env://COSIGN_KEY\"\n  " + tc.attr + "\n}\n",
		}))
		p := NewParser()
		spec, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
		if diags.HasErrors() {
			t.Fatalf("%q: %s", tc.attr, render(t, p, diags))
		}
		if spec.Signing.Format != tc.want {
			t.Errorf("%q: Format = %q, want %q", tc.attr, spec.Signing.Format, tc.want)
		}
	}
}

func TestLoad_unknownSigningFormatIsAnErrorAtTheAttribute(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{
		"relctl.hcl": minimalSpec + "signing {\n  mode = \"key\"\n  key = \"env://COSIGN_KEY\"\n  format = \"bundles\"\n}\n",
	}))
	p := NewParser()
	_, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
	if len(diags.Errs()) != 1 {
		t.Fatalf("want one error, got:\n%s", render(t, p, diags))
	}
	got := diags.Errs()[0].Error()
	if !strings.Contains(got, "relctl.hcl:11,12-") || !strings.Contains(got, `"bundles" is not a valid format: use "legacy", "bundle" or "both"`) {
		t.Errorf("error %q, want the format refused at relctl.hcl:11", got)
	}
}
