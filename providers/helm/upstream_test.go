package helm

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/helm/helmtest"
)

func TestCompareUpstream_aNewerMatchingUpstreamReleaseIsNotOtherContent(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@2.4.0")
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: ^2.4.0\n    repository: "+repo.URL()+"\n")
	published := mustPackage(t, newTestPackager(Options{}), c)

	if err := repo.Add(helmtest.Chart("common", "2.4.1", nil)); err != nil {
		t.Fatal(err)
	}
	today := mustPackage(t, newTestPackager(Options{}), c)
	if today.ContentDigest == published.ContentDigest {
		t.Fatal("the rebuild did not take common 2.4.1")
	}
	cmp, err := newTestPackager(Options{}).CompareUpstream(published.Archive, today)
	if err != nil || !cmp.SameOwnFiles || !cmp.LockSatisfied || !slices.Equal(cmp.Newer, []string{"common 2.4.1"}) {
		t.Errorf("comparison %+v (%v), want same own files, lock satisfied, newer common 2.4.1", cmp, err)
	}

	// The chart's own files changing is a conflict again.
	writeFile(t, filepath.Join(c.Dir, "values.yaml"), "replicas: 2\n", 0o644)
	edited := mustPackage(t, newTestPackager(Options{}), c)
	if cmp, _ := newTestPackager(Options{}).CompareUpstream(published.Archive, edited); cmp.SameOwnFiles {
		t.Errorf("an edited values.yaml compares as the same own files")
	}

	// A published lock that today's constraints refuse (built by another
	// tool from the same files) is a conflict.
	writeFile(t, filepath.Join(c.Dir, "values.yaml"), "replicas: 1\n", 0o644)
	files := archiveFiles(t, published.Archive)
	files["app/Chart.lock"] = strings.Replace(files["app/Chart.lock"], "version: 2.4.0", "version: 1.9.0", 1)
	if cmp, _ := newTestPackager(Options{}).CompareUpstream(helmtest.Raw(files), today); !cmp.SameOwnFiles || cmp.LockSatisfied {
		t.Errorf("a published lock at common 1.9.0 compares as %+v under ^2.4.0", cmp)
	}
}
