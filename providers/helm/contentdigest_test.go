package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tgz builds a gzipped tar from headers and bodies, for archives helm would
// never write.
func tgz(t testing.TB, level int, files ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	for _, f := range files {
		h := f.Header
		if h.Typeflag == tar.TypeReg || h.Typeflag == 0 {
			h.Size = int64(len(f.Data))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func reg(name, data string, mode int64, mtime time.Time) tarEntry {
	return tarEntry{Header: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, ModTime: mtime}, Data: data}
}

func TestContentDigest_equalForRelctlAndHelmSaveArchives(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	p := New(Options{SourceDateEpoch: "1700000000"})
	pkg, err := p.Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	helmDigest, err := p.ContentDigest(helmSave(t, dir))
	if err != nil {
		t.Fatalf("content digest of helm's archive: %v", err)
	}
	if helmDigest != pkg.ContentDigest {
		t.Errorf("content digest of helm's archive %s, of relctl's %s: want equal", helmDigest, pkg.ContentDigest)
	}
}

func TestContentDigest_changesWhenATemplateByteChanges(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	p := New(Options{SourceDateEpoch: "0"})
	before, err := p.Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "templates", "deployment.yaml")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Replace(body, []byte("replicas"), []byte("Replicas"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	after, err := p.Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if before.ContentDigest == after.ContentDigest {
		t.Errorf("content digest %s unchanged after a template changed", before.ContentDigest)
	}
}

func TestContentDigest_ignoresOrderModesTimesDirectoriesAndCompression(t *testing.T) {
	t1 := time.Unix(1, 0)
	t2 := time.Unix(2_000_000_000, 0)
	a := tgz(t, gzip.BestSpeed,
		reg("c/Chart.yaml", "name: c\n", 0o644, t1),
		reg("c/values.yaml", "a: 1\n", 0o644, t1),
	)
	b := tgz(t, gzip.BestCompression,
		tarEntry{Header: tar.Header{Typeflag: tar.TypeDir, Name: "c/", Mode: 0o755, ModTime: t2}},
		reg("./c/values.yaml", "a: 1\n", 0o600, t2),
		reg("c/Chart.yaml", "name: c\n", 0o755, t2),
	)
	p := New(Options{})
	da, err := p.ContentDigest(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := p.ContentDigest(b)
	if err != nil {
		t.Fatal(err)
	}
	if da != db {
		t.Errorf("content digests differ for the same files: %s vs %s", da, db)
	}
}

func TestContentDigest_tellsAFileNameFromItsContent(t *testing.T) {
	// Without the length and separators, "ab"+"c" and "a"+"bc" would hash
	// alike.
	p := New(Options{})
	da, err := p.ContentDigest(tgz(t, gzip.DefaultCompression, reg("ab", "c", 0o644, time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	db, err := p.ContentDigest(tgz(t, gzip.DefaultCompression, reg("a", "bc", 0o644, time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	if da == db {
		t.Errorf("archives {ab: c} and {a: bc} have one content digest %s", da)
	}
}

func TestContentDigest_refusesEntriesOutsideTheArchive(t *testing.T) {
	p := New(Options{})
	for _, name := range []string{"../evil", "c/../../evil", "/etc/passwd", `C:\evil`} {
		_, err := p.ContentDigest(tgz(t, gzip.DefaultCompression, reg(name, "x", 0o644, time.Time{})))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", name)) {
			t.Errorf("entry %q: error %v, want one naming the entry", name, err)
		}
	}
}

func TestContentDigest_refusesArchivesLargerThanTheCap(t *testing.T) {
	// Zeros compress about a thousandfold: a small archive, a large file.
	big := tarEntry{Header: tar.Header{Typeflag: tar.TypeReg, Name: "c/big", Mode: 0o644}, Data: string(make([]byte, MaxArchiveSize))}
	_, err := New(Options{}).ContentDigest(tgz(t, gzip.BestSpeed, big))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("archive over %d bytes: error %v, want one about its size", MaxArchiveSize, err)
	}
}

func TestContentDigest_refusesWhatIsNotAGzippedTar(t *testing.T) {
	if _, err := New(Options{}).ContentDigest([]byte("not gzip")); err == nil {
		t.Error("content digest of non-gzip bytes: no error")
	}
}
