package ci

import (
	"context"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// verify's index check: index digest = release asset = registry chart layer,
// and the entry points at the release asset.
func TestVerify_indexEntryMustMatchReleaseAssetAndRegistry(t *testing.T) {
	const base = "https://github.com/acme/charts/releases/download/"
	hexLayer := strings.TrimPrefix(layer, "sha256:")
	url := base + "alpha-v1.0.0/alpha.tgz"
	for _, tc := range []struct {
		name   string
		entry  *state.IndexEntry
		ok     bool
		detail string
	}{
		{"agrees", &state.IndexEntry{Digest: hexLayer, URLs: []string{url}}, true, "digest = the release asset = the registry's chart layer"},
		{"missing", nil, false, "alpha 1.0.0 is not in index.yaml on branch gh-pages"},
		{"wrong digest", &state.IndexEntry{Digest: strings.TrimPrefix(other, "sha256:"), URLs: []string{url}}, false, "lists digest sha256:333"},
		{"wrong url", &state.IndexEntry{Digest: hexLayer, URLs: []string{"https://x.example/alpha.tgz"}}, false, "not the release asset " + url},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := &config.Spec{
				Signing:        config.Signing{Mode: config.SigningNone},
				GitHub:         &config.GitHub{Repository: "acme/charts"},
				HelmRepository: &config.HelmRepository{Branch: "gh-pages", Path: "index.yaml"},
				Charts:         []config.Chart{{Name: "alpha", Version: "1.0.0", Tag: "alpha-v1.0.0"}},
			}
			ix := &state.IndexState{Branch: "gh-pages", Path: "index.yaml", Entries: map[string]state.IndexEntry{}, DownloadBase: base}
			if tc.entry != nil {
				ix.Entries["alpha"] = *tc.entry
			}
			snap := &state.Snapshot{Index: ix, Charts: []state.ChartState{{
				Name: "alpha", Package: &state.Package{Chart: "alpha", FileName: "alpha.tgz", Digest: layer},
				OCI:      state.OCIState{Repository: "r", Tag: "t", Exists: true, ManifestDigest: manifest, LocalManifestDigest: manifest},
				Releases: []state.Release{{ID: 2, Assets: []state.Asset{{ID: 1, Name: "alpha.tgz", State: "uploaded", Digest: layer}}}},
			}}}
			v, err := Verify(context.Background(), spec, snap, VerifyReaders{})
			if err != nil {
				t.Fatal(err)
			}
			last := v.Checks[len(v.Checks)-1]
			if last.Name != "index" || last.OK != tc.ok || !strings.Contains(last.Detail, tc.detail) {
				t.Errorf("index check = %+v, want ok=%v with %q", last, tc.ok, tc.detail)
			}
		})
	}
}
