package helm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPackage_sameBytesWhateverTheMtimesAndUmask(t *testing.T) {
	a := writeChart(t, t.TempDir(), fixture{mode: 0o644, vendored: true})

	// The second copy is written under a restrictive umask, with other
	// permissions and scattered mtimes: what differs between two
	// checkouts of one commit.
	old := syscall.Umask(0o077)
	b := writeChart(t, t.TempDir(), fixture{mode: 0o600, vendored: true})
	syscall.Umask(old)
	i := 0
	err := filepath.Walk(b, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			if strings.HasSuffix(p, ".yaml") {
				if err := os.Chmod(p, 0o755); err != nil {
					return err
				}
			}
			i++
			at := time.Date(2001+i, 2, 3, 4, 5, 6, 789, time.UTC)
			return os.Chtimes(p, at, at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	p := New(Options{SourceDateEpoch: "1700000000"})
	pa, err := p.Package(context.Background(), chartConfig(a))
	if err != nil {
		t.Fatalf("package %s: %v", a, err)
	}
	pb, err := p.Package(context.Background(), chartConfig(b))
	if err != nil {
		t.Fatalf("package %s: %v", b, err)
	}
	if pa.Digest != pb.Digest {
		t.Errorf("digests differ: %s vs %s", pa.Digest, pb.Digest)
	}
	if string(pa.Archive) != string(pb.Archive) {
		_, ea := readArchive(t, pa.Archive)
		_, eb := readArchive(t, pb.Archive)
		t.Errorf("archives differ (-a +b):\n%s", cmp.Diff(ea, eb))
	}
}

func TestPackage_sameBytesOnEveryRun(t *testing.T) {
	// Helm's loader collects vendored dependencies in a map; with two of
	// them a random order shows up within a few runs.
	dir := writeChart(t, t.TempDir(), fixture{vendored: true})
	p := New(Options{SourceDateEpoch: "1700000000"})
	first, err := p.Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := p.Package(context.Background(), chartConfig(dir))
		if err != nil {
			t.Fatal(err)
		}
		if again.Digest != first.Digest {
			t.Fatalf("digest changed between runs: %s then %s", first.Digest, again.Digest)
		}
	}
}

func TestPackage_describesThePackage(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	pkg, err := New(Options{SourceDateEpoch: "1700000000"}).Package(context.Background(), chartConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pkg.Archive)
	got := map[string]any{
		"chart": pkg.Chart, "version": pkg.Version, "file": pkg.FileName,
		"digest": pkg.Digest, "created": pkg.Created,
	}
	want := map[string]any{
		"chart": "podinfo", "version": "1.2.0", "file": "podinfo-1.2.0.tgz",
		"digest": "sha256:" + hex.EncodeToString(sum[:]), "created": time.Unix(1700000000, 0).UTC(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("package (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(pkg.ContentDigest, "sha256:") || pkg.ContentDigest == pkg.Digest {
		t.Errorf("content digest = %q, want a sha256 distinct from the archive digest %s", pkg.ContentDigest, pkg.Digest)
	}
}

func TestPackage_refusesAChartYAMLThatNoLongerMatchesThePlan(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	p := New(Options{SourceDateEpoch: "0"})
	for _, tc := range []struct {
		name, version string
	}{
		{"podinfo", "1.2.1"},
		{"other", "1.2.0"},
	} {
		c := chartConfig(dir)
		c.Name, c.Version = tc.name, tc.version
		_, err := p.Package(context.Background(), c)
		if err == nil {
			t.Errorf("package planned as %s %s: no error", tc.name, tc.version)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "declares podinfo version 1.2.0") || !strings.Contains(msg, tc.name+" version "+tc.version+" was planned") {
			t.Errorf("package planned as %s %s: error %q does not say what differs", tc.name, tc.version, msg)
		}
	}
}

func TestPackage_stopsWhenTheContextIsCancelled(t *testing.T) {
	dir := writeChart(t, t.TempDir(), fixture{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(Options{}).Package(ctx, chartConfig(dir)); err == nil {
		t.Fatal("package with a cancelled context: no error")
	}
}
