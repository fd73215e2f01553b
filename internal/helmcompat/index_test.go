package helmcompat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	gogh "github.com/google/go-github/v62/github"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/relctl/relctl/providers/github"
	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/state"
)

const token = "ghs_helmcompat0123456789"

// A stock-helm-shaped index (written by helm's IndexFile.WriteFile, as
// `helm repo index` and chart-releaser write it) gains relctl's entry
// through the GitHub writer; the result loads with helm's
// repo.LoadIndexFile, helm's entries are intact, and relctl's entry URL
// downloads the exact release asset.
func TestIndex_relctlsWriteLoadsInHelmAndItsURLDownloadsTheReleaseAsset(t *testing.T) {
	srv, err := githubtest.Start(githubtest.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.AddRepo("acme", "charts")
	c, err := github.New(github.Options{APIURL: srv.URL(), Token: token, Owner: "acme", Repo: "charts"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()

	// helm's own index: two versions of another chart.
	stock := repo.NewIndexFile()
	for _, v := range []string{"0.1.0", "0.2.0"} {
		if err := stock.MustAdd(&chart.Metadata{APIVersion: "v2", Name: "legacy", Version: v}, "legacy-"+v+".tgz", "https://example.org/charts", "sha256:abc"+v); err != nil {
			t.Fatal(err)
		}
	}
	stock.SortEntries()
	stockPath := filepath.Join(dir, "stock.yaml")
	if err := stock.WriteFile(stockPath, 0o644); err != nil {
		t.Fatal(err)
	}
	stockBytes, _ := os.ReadFile(stockPath)
	idx, err := state.ParseIndex(stockBytes)
	if err != nil {
		t.Fatalf("relctl cannot read helm's index: %v", err)
	}
	if idx.Len() != 2 {
		t.Fatalf("relctl read %d of helm's 2 entries", idx.Len())
	}

	archive := []byte("podinfo 1.2.0 package bytes")
	srv.SeedRelease("acme", "charts", githubtest.Release{TagName: "podinfo-v1.2.0", Assets: []githubtest.Asset{{Name: "podinfo-1.2.0.tgz", State: "uploaded", Data: archive}}})
	sum := sha256.Sum256(archive)
	rec := state.IndexRecord{
		Chart: "podinfo", Version: "1.2.0", Digest: hex.EncodeToString(sum[:]),
		URL:      state.AssetURL(c.DownloadBase(), "podinfo-v1.2.0", "podinfo-1.2.0.tgz"),
		Created:  time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
		Metadata: json.RawMessage(`{"apiVersion":"v2","name":"podinfo","version":"1.2.0","appVersion":"6.5.0","description":"A chart","keywords":["web"]}`),
	}
	// The stock file lands on gh-pages as helm wrote it; relctl merges
	// into it.
	seedStock(t, srv, stockBytes)
	update := state.IndexUpdate{Branch: "gh-pages", Path: "index.yaml", Records: []state.IndexRecord{rec}, Message: "relctl: index podinfo 1.2.0"}
	if _, err := c.WriteIndex(ctx, update); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(srv.PagesURL("acme", "charts") + "index.yaml")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	path := filepath.Join(dir, "index.yaml")
	if err := os.WriteFile(path, served, 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := repo.LoadIndexFile(path)
	if err != nil {
		t.Fatalf("helm cannot load relctl's index: %v\n%s", err, served)
	}
	for _, v := range []string{"0.1.0", "0.2.0"} {
		if e, err := loaded.Get("legacy", v); err != nil || e.Digest != "sha256:abc"+v || e.URLs[0] != "https://example.org/charts/legacy-"+v+".tgz" {
			t.Errorf("helm's legacy %s after relctl's write: %+v, %v", v, e, err)
		}
	}
	got, err := loaded.Get("podinfo", "1.2.0")
	if err != nil {
		t.Fatalf("helm does not find podinfo 1.2.0: %v", err)
	}
	if got.Digest != rec.Digest || got.AppVersion != "6.5.0" || got.Description != "A chart" || !got.Created.Equal(rec.Created) {
		t.Errorf("helm reads podinfo as %+v", got)
	}
	pkg, err := http.Get(got.URLs[0])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(pkg.Body)
	pkg.Body.Close()
	if string(body) != string(archive) {
		t.Errorf("%s downloads %q (%s), want the release asset", got.URLs[0], body, pkg.Status)
	}
}

// seedStock commits data as index.yaml on a new gh-pages branch.
func seedStock(t *testing.T, srv *githubtest.Server, data []byte) {
	t.Helper()
	ctx := context.Background()
	c, err := gogh.NewClient(nil).WithAuthToken(token).WithEnterpriseURLs(srv.URL(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	tree, _, err := c.Git.CreateTree(ctx, "acme", "charts", "", []*gogh.TreeEntry{{Path: gogh.String("index.yaml"), Mode: gogh.String("100644"), Type: gogh.String("blob"), Content: gogh.String(string(data))}})
	if err != nil {
		t.Fatal(err)
	}
	commit, _, err := c.Git.CreateCommit(ctx, "acme", "charts", &gogh.Commit{Message: gogh.String("helm repo index"), Tree: tree}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Git.CreateRef(ctx, "acme", "charts", &gogh.Reference{Ref: gogh.String("refs/heads/gh-pages"), Object: &gogh.GitObject{SHA: commit.SHA}}); err != nil {
		t.Fatal(err)
	}
}
