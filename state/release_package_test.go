package state

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/relctl/relctl/config"
)

// filesPackager reads an archive "<packager>|<files>": its content digest
// is that of the files alone, whoever packaged them, as helm's is.
type filesPackager struct{}

func (filesPackager) Package(context.Context, config.Chart) (*Package, error) {
	return nil, errors.New("not used")
}

func (filesPackager) ContentDigest(archive []byte) (string, error) {
	_, files, ok := strings.Cut(string(archive), "|")
	if !ok {
		return "", errors.New("not a chart archive")
	}
	return sha(files), nil
}

// manifestOf is a registry whose manifest is a function of the chart layer.
type manifestOf struct{ RegistryReader }

func (manifestOf) ManifestDigest(pkg *Package) (string, error) {
	return sha("manifest of " + string(pkg.Archive)), nil
}

// assetStore serves release assets by ID and counts downloads.
type assetStore struct {
	ReleaseReader
	mu        sync.Mutex
	data      map[int64][]byte
	downloads int
}

func (s *assetStore) DownloadAsset(_ context.Context, id int64, limit int64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.downloads++
	b, ok := s.data[id]
	if !ok {
		return nil, ErrNotFound
	}
	if int64(len(b)) > limit {
		return nil, errors.New("over the limit")
	}
	return b, nil
}

func releasedChart(name, releaseArchive string, inRegistry bool) ChartState {
	local := "relctl|files of " + name
	cs := ChartState{Name: name, Tag: name + "-1.0.0",
		Package: &Package{Chart: name, FileName: name + "-1.0.0.tgz", Archive: []byte(local), Digest: sha(local), ContentDigest: sha("files of " + name)},
		OCI:     OCIState{Exists: inRegistry, LocalManifestDigest: sha("manifest of " + local)},
		Releases: []Release{{TagName: name + "-1.0.0", Assets: []Asset{
			{ID: int64(len(name)), Name: name + "-1.0.0.tgz", State: "uploaded", Digest: sha(releaseArchive)},
		}}},
	}
	return cs
}

// Only a release package with the local chart's files, of a version the
// registry lacks, is adopted; relctl's own package is never downloaded,
// nor one beside a registry that already decides the bytes.
func TestAdoptReleasePackages_adoptsSameFilesOnlyAndDownloadsOnlyWhenDigestsDiffer(t *testing.T) {
	store := &assetStore{data: map[int64][]byte{}}
	snap := &Snapshot{Charts: []ChartState{
		releasedChart("a", "helm|files of a", false),       // chart-releaser's package of the same files
		releasedChart("bb", "helm|other files", false),     // other chart files
		releasedChart("ccc", "relctl|files of ccc", false), // relctl's own package
		releasedChart("dddd", "helm|files of dddd", true),  // the registry holds the version
	}}
	for _, cs := range snap.Charts {
		a := cs.Releases[0].Assets[0]
		for _, s := range []string{"helm|files of a", "helm|other files", "relctl|files of ccc", "helm|files of dddd"} {
			if sha(s) == a.Digest {
				store.data[a.ID] = []byte(s)
			}
		}
	}
	err := adoptReleasePackages(context.Background(), snap, Readers{Packager: filesPackager{}, Registry: manifestOf{}, Releases: store}, 2)
	if err != nil {
		t.Fatal(err)
	}

	a := snap.Chart("a")
	if a.ReleasePackage == nil || a.ReleasedDigest() != sha("helm|files of a") || string(a.PushedPackage().Archive) != "helm|files of a" {
		t.Fatalf("chart a: release package %+v, released %s: want the release's bytes adopted", a.ReleasePackage, a.ReleasedDigest())
	}
	if want := sha("manifest of helm|files of a"); a.OCI.LocalManifestDigest != want {
		t.Errorf("chart a: the push writes %s, want the manifest of the release's bytes %s", a.OCI.LocalManifestDigest, want)
	}
	if a.Package.Digest != sha("relctl|files of a") {
		t.Errorf("chart a: the local package was changed to %s", a.Package.Digest)
	}
	for _, name := range []string{"bb", "ccc", "dddd"} {
		cs := snap.Chart(name)
		if cs.ReleasePackage != nil || cs.ReleasedDigest() != cs.Package.Digest || cs.PushedPackage() != cs.Package {
			t.Errorf("chart %s: adopted %+v, want its own package released", name, cs.ReleasePackage)
		}
	}
	if store.downloads != 2 {
		t.Errorf("%d downloads, want 2 (a and bb: relctl's own package and a registry-held version need none)", store.downloads)
	}
}

// A download that fails is an error naming the asset and the release, not
// a silent conflict.
func TestAdoptReleasePackages_aFailedDownloadNamesTheAssetAndRelease(t *testing.T) {
	snap := &Snapshot{Charts: []ChartState{releasedChart("a", "helm|files of a", false)}}
	err := adoptReleasePackages(context.Background(), snap, Readers{Packager: filesPackager{}, Registry: manifestOf{}, Releases: &assetStore{}}, 1)
	if err == nil || !strings.Contains(err.Error(), `asset "a-1.0.0.tgz" of release a-1.0.0`) || !errors.Is(err, ErrNotFound) {
		t.Errorf("error %v, want one naming the asset and release, wrapping the cause", err)
	}
}
