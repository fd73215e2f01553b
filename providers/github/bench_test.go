package github

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relctl/relctl/providers/github/githubtest"
)

// releasesPage is a page of 100 releases as GitHub lists them (the
// emulator's rendering: author and uploader objects, URLs), each with
// notes and six assets, as relctl publishes them.
func releasesPage(b *testing.B) []byte {
	b.Helper()
	srv, err := githubtest.Start(githubtest.Options{Token: testToken})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	srv.AddRepo("acme", "charts")
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		name := fmt.Sprintf("chart-%03d", i)
		r := githubtest.Release{
			TagName: name + "-v1.0.0", Name: name + ": v1.0.0", CreatedAt: created,
			Body: "## " + name + " 1.0.0\n\n" + strings.Repeat("Release notes of the chart, as relctl renders them.\n", 20),
		}
		for _, f := range []string{".tgz", ".tgz.sig", ".tgz.sigstore.json", "CHANGELOG.md", "README.md", "LICENSE"} {
			r.Assets = append(r.Assets, githubtest.Asset{Name: name + f, Data: []byte(f)})
		}
		srv.SeedRelease("acme", "charts", r)
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL()+"repos/acme/charts/releases?per_page=100", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("list: %v %d", err, resp.StatusCode)
	}
	return page
}

// BenchmarkDecodeReleasesPage decodes one page of 100 releases, as
// ListReleases does for every 100 charts of a plan.
func BenchmarkDecodeReleasesPage(b *testing.B) {
	page := releasesPage(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		rels, err := decodePage[releaseJSON](page)
		if err != nil {
			b.Fatal(err)
		}
		if len(rels) != 100 {
			b.Fatalf("%d releases", len(rels))
		}
	}
}
