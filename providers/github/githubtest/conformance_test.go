package githubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The recordings are octokit/fixtures (MIT, testdata/fixtures/LICENSE-octokit-fixtures.md),
// copied from the project's shared fixtures so the conformance tests never skip.
const fixturesDir = "testdata/fixtures"

// replayedFixtures are the recordings the conformance tests read.
var replayedFixtures = []string{
	"errors.json", "git-refs.json", "paginate-issues.json",
	"release-assets-conflict.json", "release-assets.json",
}

// recorded is one exchange of an octokit fixture.
type recorded struct {
	Scope      string            `json:"scope"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Body       json.RawMessage   `json:"body"`
	Status     int               `json:"status"`
	Response   json.RawMessage   `json:"response"`
	ReqHeaders map[string]any    `json:"reqheaders"`
	RespHeader map[string]string `json:"responseHeaders"`
}

func loadFixture(t *testing.T, name string) []recorded {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixturesDir, name))
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	var out []recorded
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	return out
}

// The fixtures' token, timestamps and user; replaying with the same values
// makes every field but the normalised ones comparable.
const fixtureToken = "0000000000000000000000000000000000000001"

var fixtureTime = time.Date(2017, 10, 10, 16, 0, 0, 0, time.UTC)

func fixtureServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Options{
		Token: fixtureToken,
		Login: "octokit-fixture-user-a",
		Now:   func() time.Time { return fixtureTime },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// seedFixtureRelease is the state both release fixtures start from: release
// 1000, tag v1.0.0, as their first GET returns it.
func seedFixtureRelease(s *Server, repo string, assets ...Asset) {
	s.SeedRelease("octokit-fixture-org", repo, Release{
		ID:              1000,
		TagName:         "v1.0.0",
		TargetCommitish: "0000000000000000000000000000000000000001",
		Name:            "Version 1.0.0",
		Body:            "Initial release",
		Assets:          assets,
	})
}

func TestConformance_releaseAssetsReplaysUploadListGetRenameDelete(t *testing.T) {
	s := fixtureServer(t)
	seedFixtureRelease(s, "release-assets")
	replay(t, s, loadFixture(t, "release-assets.json"), nil)
}

func TestConformance_releaseAssetsConflictRejectsDuplicateNameUntilDeleted(t *testing.T) {
	s := fixtureServer(t)
	// The recording starts with test-upload.txt already attached: its first
	// upload is the 422 and its listing shows asset 1000.
	seedFixtureRelease(s, "release-assets-conflict", Asset{
		ID: 1000, Name: "test-upload.txt", Label: "test", ContentType: "text/plain",
		Data: []byte("Hello, world!\n"),
	})
	// The recorded release shows "assets": [] while the very next request
	// proves test-upload.txt is attached; the emulator stays consistent and
	// lists it, so that one value is not compared.
	replay(t, s, loadFixture(t, "release-assets-conflict.json"), map[int]string{0: "$.assets"})
}

func TestConformance_gitRefsReplaysListCreateUpdateDelete(t *testing.T) {
	s := fixtureServer(t)
	// The recording's first listing is a new repository's: main at commit 1.
	s.AddRepo("octokit-fixture-org", "git-refs")
	replay(t, s, loadFixture(t, "git-refs.json"), nil)
	want := map[string]string{"refs/heads/main": "0000000000000000000000000000000000000001"}
	if got := s.Refs("octokit-fixture-org", "git-refs"); !maps.Equal(got, want) {
		t.Errorf("refs after replay = %v, want %v", got, want)
	}
}

func TestConformance_errorsReplaysLabelValidationFailure(t *testing.T) {
	s := fixtureServer(t)
	s.AddRepo("octokit-fixture-org", "errors")
	replay(t, s, loadFixture(t, "errors.json"), nil)
}

// replay sends each recorded request and compares status, the set of JSON
// field names at every depth, and every value except those the fixtures
// normalise (node_id, download_count, request_id). URLs are compared by
// path and query, since the hosts differ. skip names, per exchange, one JSON
// path whose recorded value is not compared.
func replay(t *testing.T, s *Server, exchanges []recorded, skip map[int]string) {
	t.Helper()
	for i, ex := range exchanges {
		t.Run(fmt.Sprintf("%d_%s_%s", i, strings.ToUpper(ex.Method), ex.Path), func(t *testing.T) {
			res, got := send(t, s, ex)
			if res.StatusCode != ex.Status {
				t.Fatalf("status = %d, want %d; body %s", res.StatusCode, ex.Status, got)
			}
			var want any
			if err := json.Unmarshal(ex.Response, &want); err != nil {
				t.Fatalf("fixture response: %v", err)
			}
			if w, ok := want.(string); ok && w == "" {
				if len(got) != 0 {
					t.Errorf("body = %s, want empty", got)
				}
				return
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			var have any
			if err := json.Unmarshal(got, &have); err != nil {
				t.Fatalf("response is not JSON: %v: %s", err, got)
			}
			for _, d := range compareJSON("$", want, have) {
				if p, ok := skip[i]; ok && strings.HasPrefix(d, p+":") {
					continue
				}
				t.Error(d)
			}
		})
	}
}

func send(t *testing.T, s *Server, ex recorded) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if len(ex.Body) > 0 {
		var str string
		if err := json.Unmarshal(ex.Body, &str); err == nil {
			body = strings.NewReader(str)
		} else {
			body = bytes.NewReader(ex.Body)
		}
	}
	req, err := http.NewRequest(strings.ToUpper(ex.Method), strings.TrimSuffix(s.URL(), "/")+ex.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"accept", "authorization", "content-type"} {
		if v, ok := ex.ReqHeaders[h].(string); ok {
			req.Header.Set(h, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// extraFields are fields GitHub added after the recordings were made.
var extraFields = map[string]bool{"digest": true, "immutable": true}

var normalised = map[string]bool{"node_id": true, "download_count": true, "request_id": true}

var absoluteURL = regexp.MustCompile(`^https?://`)

// compareJSON returns the differences between the recorded value want and
// the emulator's value have.
func compareJSON(path string, want, have any) []string {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %T, want object", path, have)}
		}
		var diffs []string
		for _, k := range sortedKeys(w) {
			if _, ok := h[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: missing field %q", path, k))
				continue
			}
			if normalised[k] {
				continue
			}
			diffs = append(diffs, compareJSON(path+"."+k, w[k], h[k])...)
		}
		for _, k := range sortedKeys(h) {
			if _, ok := w[k]; !ok && !extraFields[k] {
				diffs = append(diffs, fmt.Sprintf("%s: unexpected field %q", path, k))
			}
		}
		return diffs
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return []string{fmt.Sprintf("%s: got %v, want %d elements", path, have, len(w))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], h[i])...)
		}
		return diffs
	case string:
		if hs, ok := have.(string); ok && absoluteURL.MatchString(w) && absoluteURL.MatchString(hs) {
			if pathOf(w) != pathOf(hs) {
				return []string{fmt.Sprintf("%s: URL path %q, want %q", path, pathOf(hs), pathOf(w))}
			}
			return nil
		}
	}
	if fmt.Sprint(want) != fmt.Sprint(have) {
		return []string{fmt.Sprintf("%s = %v, want %v", path, have, want)}
	}
	return nil
}

func pathOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.EscapedPath() + "?" + u.RawQuery
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// paginate-issues.json follows rel="next" from page 1 to 5 of 13 issues at
// per_page=3. The emulator has no issues endpoint, so its Link builder is
// checked against the same walk: each page's next link must be the URL of
// the next recorded request, and the last page must have none.
func TestConformance_linkHeaderNextMatchesPaginateIssuesWalk(t *testing.T) {
	exchanges := loadFixture(t, "paginate-issues.json")
	total := 0
	for _, ex := range exchanges {
		var items []any
		if err := json.Unmarshal(ex.Response, &items); err != nil {
			t.Fatal(err)
		}
		total += len(items)
	}
	if total != 13 {
		t.Fatalf("fixture holds %d issues, want 13", total)
	}
	const base = "https://api.github.com/repositories/1000/issues"
	for i, ex := range exchanges {
		u, err := url.Parse(ex.Path)
		if err != nil {
			t.Fatal(err)
		}
		page, perPage := pageParams(u.Query(), 100)
		rels := parseLink(linkHeader(base, u.RawQuery, page, perPage, total))
		if i+1 < len(exchanges) {
			if want := "https://api.github.com" + exchanges[i+1].Path; rels["next"] != want {
				t.Errorf("page %d: next = %q, want %q", page, rels["next"], want)
			}
		} else if next, ok := rels["next"]; ok {
			t.Errorf("last page %d has next %q", page, next)
		}
	}
}
