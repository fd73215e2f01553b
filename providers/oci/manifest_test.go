package oci

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/state"
)

func TestTag_replacesPlusWithUnderscoreAsHelmDoes(t *testing.T) {
	for version, want := range map[string]string{
		"1.2.3":                 "1.2.3",
		"1.2.3+build.1":         "1.2.3_build.1",
		"1.2.3-rc.1+build.1.x7": "1.2.3-rc.1_build.1.x7",
		"1.2.3_build.1":         "1.2.3_build.1",
	} {
		if got := Tag(version); got != want {
			t.Errorf("Tag(%q) = %q, want %q", version, got, want)
		}
	}
}

func TestManifestFor_writesHelmsLayoutWithoutMediaTypeOrArtifactType(t *testing.T) {
	pkg := testPackage(t, "podinfo", "1.2.0")

	data, desc, err := ManifestFor(pkg)

	if err != nil {
		t.Fatal(err)
	}
	if desc.MediaType != "application/vnd.oci.image.manifest.v1+json" || desc.Size != int64(len(data)) {
		t.Errorf("descriptor %+v does not describe an OCI image manifest of %d bytes", desc, len(data))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(m))
	if diff := cmp.Diff([]string{"annotations", "config", "layers", "schemaVersion"}, keys); diff != "" {
		t.Errorf("manifest fields (-want +got):\n%s", diff)
	}
	var got struct {
		Config struct{ MediaType, Digest string }
		Layers []struct {
			MediaType, Digest string
			Size              int
		}
		Annotations map[string]string
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Config.MediaType != ConfigMediaType {
		t.Errorf("config media type %q", got.Config.MediaType)
	}
	if len(got.Layers) != 1 || got.Layers[0].MediaType != ChartLayerMediaType || got.Layers[0].Digest != pkg.Digest || got.Layers[0].Size != len(pkg.Archive) {
		t.Errorf("layers %+v, want the one chart layer %s", got.Layers, pkg.Digest)
	}
	if diff := cmp.Diff(pkg.Annotations, got.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}

func TestManifestFor_isDeterministic(t *testing.T) {
	a, _, err := ManifestFor(testPackage(t, "podinfo", "1.2.0"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ { // map iteration order varies between calls
		b, _, _ := ManifestFor(testPackage(t, "podinfo", "1.2.0"))
		if string(a) != string(b) {
			t.Fatalf("two manifests of one package differ:\n%s\n%s", a, b)
		}
	}
}

func TestManifestFor_rejectsIncompletePackages(t *testing.T) {
	for name, mutate := range map[string]func(p *state.Package){
		"empty archive":   func(p *state.Package) { p.Archive = nil },
		"empty config":    func(p *state.Package) { p.Config = nil },
		"config not JSON": func(p *state.Package) { p.Config = []byte("name: podinfo") },
		"digest mismatch": func(p *state.Package) { p.Digest = "sha256:" + strings.Repeat("0", 64) },
	} {
		pkg := testPackage(t, "podinfo", "1.2.0")
		mutate(pkg)
		if _, _, err := ManifestFor(pkg); err == nil || !strings.Contains(err.Error(), "podinfo-1.2.0.tgz") {
			t.Errorf("%s: err = %v, want an error naming the package", name, err)
		}
	}
	if _, _, err := ManifestFor(nil); err == nil {
		t.Error("nil package: no error")
	}
}
