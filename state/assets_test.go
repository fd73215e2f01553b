package state

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/config"
)

// A file whose whole name GitHub would strip cannot be uploaded under any
// name relctl can predict: it is refused when observed, naming the file,
// before anything is written.
func TestLocalAssets_refusesAFileWhoseNameGitHubWouldStripEntirely(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "docs/().md"), "x")
	write(t, filepath.Join(dir, "docs/(~)"), "x")
	spec := &config.Spec{Dir: dir, Release: config.Release{Files: []string{"docs/*"}}}
	_, err := localAssets(spec, config.Chart{Name: "a", Dir: filepath.Join(dir, "charts/a")})
	if err == nil {
		t.Fatal("a file named \"(~)\" was accepted as a release asset")
	}
	for _, want := range []string{`release.files "docs/*"`, "(~)", "rename the file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	missing := &config.Spec{Dir: dir, Release: config.Release{Assets: []config.Asset{{Name: "()"}}}}
	if _, err := localAssets(missing, config.Chart{Name: "a", Dir: filepath.Join(dir, "charts/a")}); err == nil || !strings.Contains(err.Error(), "chart a: asset ()") {
		t.Errorf("an optional asset named \"()\" gave %v, want a refusal naming chart a and the asset", err)
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLocalAssets_chartFilesThenExtraFilesWithDigestsAndMissingOnes(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "charts/a/README.md"), "readme")
	write(t, filepath.Join(dir, "docs/b.md"), "b")
	write(t, filepath.Join(dir, "docs/a (draft).md"), "a")
	spec := &config.Spec{Dir: dir, Release: config.Release{
		Assets: []config.Asset{{Name: "CHANGELOG.md"}, {Name: "README.md"}},
		Files:  []string{"docs/*.md"},
	}}
	chart := config.Chart{Name: "a", Dir: filepath.Join(dir, "charts/a")}
	got, err := localAssets(spec, chart)
	if err != nil {
		t.Fatal(err)
	}
	want := []LocalAsset{
		{Name: "CHANGELOG.md", Path: filepath.Join(dir, "charts/a/CHANGELOG.md"), Missing: true},
		{Name: "README.md", Path: filepath.Join(dir, "charts/a/README.md"), Size: 6, Digest: sha("readme")},
		{Name: "a.draft.md", SourceName: "a (draft).md", Path: filepath.Join(dir, "docs/a (draft).md"), Size: 1, Digest: sha("a")},
		{Name: "b.md", Path: filepath.Join(dir, "docs/b.md"), Size: 1, Digest: sha("b")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("localAssets (-want +got):\n%s", diff)
	}
}

func TestLocalAssets_refusesAnExtraFileLinkedFromOutsideTheSpecFolder(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	write(t, outside, "s")
	if err := os.Symlink(outside, filepath.Join(dir, "link.txt")); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	spec := &config.Spec{Dir: dir, Release: config.Release{Files: []string{"*.txt"}}}
	if _, err := localAssets(spec, config.Chart{Name: "a", Dir: dir}); err == nil {
		t.Fatal("a file linked from outside the spec folder was accepted")
	}
}
