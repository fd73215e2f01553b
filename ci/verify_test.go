package ci

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

const (
	manifest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	layer    = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	other    = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
)

// Verify judges the release the plan keeps (the published one among
// duplicate drafts) and compares its .tgz with the registry's chart layer.
func TestVerify_judgesTheKeptReleaseAndItsPackageAgainstTheRegistry(t *testing.T) {
	spec := &config.Spec{
		Signing: config.Signing{Mode: config.SigningNone},
		GitHub:  &config.GitHub{Repository: "acme/charts"},
		Charts: []config.Chart{
			{Name: "alpha", Version: "1.0.0", Tag: "alpha-v1.0.0", RelDir: "charts/alpha"},
			{Name: "beta", Version: "2.0.0", Tag: "beta-v2.0.0", RelDir: "charts/beta"},
			{Name: "gamma", Version: "3.0.0", Tag: "gamma-v3.0.0", RelDir: "charts/gamma"},
		},
	}
	pkg := func(name string) *state.Package {
		return &state.Package{Chart: name, FileName: name + ".tgz", Digest: layer}
	}
	inRegistry := state.OCIState{Repository: "r", Tag: "t", Exists: true, ManifestDigest: manifest, LocalManifestDigest: manifest}
	tgz := func(name, digest string) []state.Asset {
		return []state.Asset{{ID: 1, Name: name + ".tgz", State: "uploaded", Digest: digest}}
	}
	snap := &state.Snapshot{Charts: []state.ChartState{
		// A leftover draft beside the published release: the published one counts.
		{Name: "alpha", Package: pkg("alpha"), OCI: inRegistry, Releases: []state.Release{
			{ID: 1, Draft: true},
			{ID: 2, Assets: tgz("alpha", layer)},
		}},
		{Name: "beta", Package: pkg("beta"), OCI: inRegistry, Releases: []state.Release{{ID: 3, Assets: tgz("beta", other)}}},
		{Name: "gamma", Package: pkg("gamma"), OCI: state.OCIState{Repository: "r", Tag: "t"}},
	}}
	v, err := Verify(context.Background(), spec, snap, VerifyReaders{})
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		Chart, Check string
		OK           bool
	}
	var got []verdict
	for _, c := range v.Checks {
		got = append(got, verdict{c.Chart, c.Name, c.OK})
	}
	want := []verdict{
		{"alpha", "registry", true}, {"alpha", "release", true}, {"alpha", "release package", true},
		{"beta", "registry", true}, {"beta", "release", true}, {"beta", "release package", false},
		{"gamma", "registry", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if v.OK() {
		t.Error("Verify says all is well with a mismatched package and a missing chart")
	}
}

// stubDigestVerifier accepts a signature file whose bytes are "sig of "
// followed by the digest it is checked against; it never needs the bytes.
type stubDigestVerifier struct{ byBytes int }

func (s *stubDigestVerifier) VerifyBlob(ctx context.Context, blob []byte, sig *state.BlobSignature) error {
	s.byBytes++
	return errors.New("bytes not expected")
}

func (s *stubDigestVerifier) VerifyBlobDigest(ctx context.Context, digest string, sig *state.BlobSignature) (bool, error) {
	if string(sig.Signature) != "sig of "+digest {
		return true, errors.New("does not verify")
	}
	return true, nil
}

type assetFiles map[int64][]byte

func (a assetFiles) DownloadAsset(ctx context.Context, id int64, limit int64) ([]byte, error) {
	b, ok := a[id]
	if !ok {
		return nil, fmt.Errorf("asset %d not found", id)
	}
	return b, nil
}

// A chart taken from its source stamp counts only when its manifest's
// signature verifies; its release is then checked against the manifest's
// layer digest, and fails as a rebuilt chart's would.
func TestVerify_aStampedChartIsVouchedForBySignatureAndItsReleaseStillChecked(t *testing.T) {
	spec := &config.Spec{
		Signing: config.Signing{Mode: config.SigningKey, Format: config.FormatLegacy},
		GitHub:  &config.GitHub{Repository: "acme/charts"},
	}
	inRegistry := state.OCIState{Repository: "r", Tag: "t", Exists: true, ManifestDigest: manifest, LocalManifestDigest: manifest}
	files := assetFiles{}
	chart := func(name string, sigValid bool, tgzDigest, sigFor string) state.ChartState {
		id := int64(len(files) + 1)
		files[id] = []byte("sig of " + sigFor)
		spec.Charts = append(spec.Charts, config.Chart{Name: name, Version: "1.0.0", Tag: name + "-v1.0.0", RelDir: "charts/" + name})
		return state.ChartState{
			Name: name,
			Package: &state.Package{Chart: name, FileName: name + ".tgz", Digest: layer, Stamped: true,
				Annotations: map[string]string{state.AnnotationSource: "git-tree:0123456789abcdef0123"}},
			OCI:       inRegistry,
			Signature: &state.SignatureState{Valid: sigValid, Reason: "r"},
			Releases: []state.Release{{ID: id, TagName: name + "-v1.0.0", Assets: []state.Asset{
				{ID: 100 + id, Name: name + ".tgz", State: "uploaded", Digest: tgzDigest},
				{ID: id, Name: name + ".tgz.sig", State: "uploaded"},
			}}},
		}
	}
	snap := &state.Snapshot{Charts: []state.ChartState{
		chart("good", true, layer, layer),
		chart("unsigned", false, layer, layer),
		chart("othertgz", true, other, layer),
		chart("othersig", true, layer, other),
	}}
	spec.Release.Lineage = false
	bv := &stubDigestVerifier{}
	v, err := Verify(context.Background(), spec, snap, VerifyReaders{Blobs: bv, Assets: files})
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		Chart, Check string
		OK           bool
	}
	var got []verdict
	for _, c := range v.Checks {
		got = append(got, verdict{c.Chart, c.Name, c.OK})
		if c.Source != SourceStamp {
			t.Errorf("%s %s: source %q", c.Chart, c.Name, c.Source)
		}
		if c.Chart == "good" && c.Name == "registry" && !strings.Contains(c.Detail, "source: signed stamp, tree 0123456789ab (charts/good)") {
			t.Errorf("registry detail %q does not say the stamp was taken", c.Detail)
		}
	}
	want := []verdict{
		{"good", "registry", true}, {"good", "signature", true}, {"good", "release", true}, {"good", "release package", true}, {"good", "release signature", true},
		{"unsigned", "registry", false}, {"unsigned", "signature", false}, {"unsigned", "release", true}, {"unsigned", "release package", false},
		{"othertgz", "registry", true}, {"othertgz", "signature", true}, {"othertgz", "release", true}, {"othertgz", "release package", false},
		{"othersig", "registry", true}, {"othersig", "signature", true}, {"othersig", "release", true}, {"othersig", "release package", true}, {"othersig", "release signature", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if bv.byBytes != 0 {
		t.Errorf("%d signatures verified against bytes, want all against the digest", bv.byBytes)
	}
}

// bytesVerifier needs the bytes: it accepts "sig of <sha256 of the bytes>".
type bytesVerifier struct{}

func (bytesVerifier) VerifyBlob(ctx context.Context, blob []byte, sig *state.BlobSignature) error {
	if string(sig.Signature) != fmt.Sprintf("sig of sha256:%x", sha256.Sum256(blob)) {
		return errors.New("does not verify")
	}
	return nil
}

func (bytesVerifier) VerifyBlobDigest(ctx context.Context, digest string, sig *state.BlobSignature) (bool, error) {
	return false, nil
}

// A verifier that cannot decide from the digest gets the release's .tgz,
// whose bytes must have the digest GitHub gives, before its signature is
// checked against them.
func TestVerify_aStampedChartsSignatureNeedingTheBytesIsCheckedAgainstTheDownloadedPackage(t *testing.T) {
	tgz := []byte("the chart")
	d := fmt.Sprintf("sha256:%x", sha256.Sum256(tgz))
	for name, tc := range map[string]struct {
		served []byte
		ok     bool
	}{
		"the package":           {tgz, true},
		"other bytes than told": {[]byte("not the chart"), false},
	} {
		t.Run(name, func(t *testing.T) {
			spec := &config.Spec{
				Signing: config.Signing{Mode: config.SigningKeyless, Format: config.FormatLegacy},
				GitHub:  &config.GitHub{Repository: "acme/charts"},
				Charts:  []config.Chart{{Name: "a", Version: "1.0.0", Tag: "a-v1.0.0", RelDir: "charts/a"}},
			}
			spec.Release.Lineage = false
			files := assetFiles{1: tc.served, 2: []byte("sig of " + d), 3: []byte("pem")}
			snap := &state.Snapshot{Charts: []state.ChartState{{
				Name:      "a",
				Package:   &state.Package{Chart: "a", FileName: "a.tgz", Digest: d, Stamped: true},
				OCI:       state.OCIState{Repository: "r", Tag: "t", Exists: true, ManifestDigest: manifest, LocalManifestDigest: manifest},
				Signature: &state.SignatureState{Valid: true},
				Releases: []state.Release{{ID: 1, TagName: "a-v1.0.0", Assets: []state.Asset{
					{ID: 1, Name: "a.tgz", State: "uploaded", Digest: d},
					{ID: 2, Name: "a.tgz.sig", State: "uploaded"},
					{ID: 3, Name: "a.tgz.pem", State: "uploaded"},
				}}},
			}}}
			v, err := Verify(context.Background(), spec, snap, VerifyReaders{Blobs: bytesVerifier{}, Assets: files})
			if err != nil {
				t.Fatal(err)
			}
			last := v.Checks[len(v.Checks)-1]
			if last.Name != "release signature" || last.OK != tc.ok {
				t.Fatalf("last check %+v, want release signature ok=%v", last, tc.ok)
			}
		})
	}
}
