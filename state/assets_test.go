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

// The chart's CHANGELOG.md, read once for the release notes, is the asset
// the release carries: the same name, size and digest as read from disk,
// and release.files are the same for every chart of one observation.
func TestAssetFiles_changelogReadOnceIsTheSameAssetAsFromDisk(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []string{"a", "b"} {
		write(t, filepath.Join(dir, "charts", c, "CHANGELOG.md"), "## 1.0.0\n- "+c+"\n")
		write(t, filepath.Join(dir, "charts", c, "README.md"), "readme "+c)
	}
	write(t, filepath.Join(dir, "docs/NOTICE"), "notice")
	spec := &config.Spec{Dir: dir, Release: config.Release{
		Assets: []config.Asset{{Name: "CHANGELOG.md"}, {Name: "README.md"}},
		Files:  []string{"docs/*"},
	}}
	files := newAssetFiles(spec)
	for _, name := range []string{"a", "b"} {
		c := config.Chart{Name: name, Dir: filepath.Join(dir, "charts", name)}
		want, err := localAssets(spec, c)
		if err != nil {
			t.Fatal(err)
		}
		changelog := filepath.Join(c.Dir, "CHANGELOG.md")
		content, err := os.ReadFile(changelog)
		if err != nil {
			t.Fatal(err)
		}
		got, err := files.forChart(c, map[string][]byte{changelog: content})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("chart %s: assets with the changelog read once (-from disk +read once):\n%s", name, diff)
		}
		if len(got) != 3 || got[0].Digest != sha("## 1.0.0\n- "+name+"\n") || got[2].Digest != sha("notice") {
			t.Errorf("chart %s: assets %+v, want its changelog, its README and docs/NOTICE", name, got)
		}
	}
}

// BenchmarkAssetFiles_threeSmallFiles is the release files of one chart as
// a plan reads them: CHANGELOG.md (already read for the notes), README.md
// and LICENSE.
func BenchmarkAssetFiles_threeSmallFiles(b *testing.B) {
	dir := b.TempDir()
	c := config.Chart{Name: "a", Dir: filepath.Join(dir, "charts/a")}
	changelog := filepath.Join(c.Dir, "CHANGELOG.md")
	for name, content := range map[string]string{"CHANGELOG.md": "# Changelog\n\n## [1.0.0]\n\n- First.\n", "README.md": "# a\n", "LICENSE": "Apache-2.0\n"} {
		if err := os.MkdirAll(c.Dir, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(c.Dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	spec := &config.Spec{Dir: dir, Release: config.Release{Assets: []config.Asset{{Name: "CHANGELOG.md"}, {Name: "README.md"}, {Name: "LICENSE"}}}}
	files := newAssetFiles(spec)
	b.ReportAllocs()
	for b.Loop() {
		content, err := readOptional(c.Dir, "CHANGELOG.md")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := files.forChart(c, map[string][]byte{changelog: content}); err != nil {
			b.Fatal(err)
		}
	}
}
