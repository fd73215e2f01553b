package config

import (
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
