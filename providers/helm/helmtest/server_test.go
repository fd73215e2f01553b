package helmtest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestServer_servesAnIndexOfHelmsShapeAndTheArchivesItLists(t *testing.T) {
	for _, abs := range []bool{false, true} {
		s := Start(Options{AbsoluteURLs: abs})
		defer s.Close()
		archive := Chart("common", "1.0.0", nil)
		if err := s.Add(archive); err != nil {
			t.Fatal(err)
		}
		_, body := get(t, s.URL()+"/index.yaml", nil)
		var idx indexFile
		if err := yaml.Unmarshal([]byte(body), &idx); err != nil || idx.APIVersion != "v1" {
			t.Fatalf("index %q: %v", body, err)
		}
		e := idx.Entries["common"][0]
		want := "charts/common-1.0.0.tgz"
		if abs {
			want = s.URL() + "/" + want
		}
		if e.Name != "common" || e.Version != "1.0.0" || e.URLs[0] != want || len(e.Digest) != 64 {
			t.Errorf("entry %+v, want url %s and a hex digest", e, want)
		}
		if _, got := get(t, s.URL()+"/charts/common-1.0.0.tgz", nil); got != string(archive) {
			t.Errorf("archive served differs from the one added")
		}
	}
}

func TestServer_revalidatesTheIndexAndCountsRequests(t *testing.T) {
	for _, v := range []Validator{ETag, LastModified} {
		s := Start(Options{Validator: v})
		defer s.Close()
		s.Add(Chart("common", "1.0.0", nil))
		resp, _ := get(t, s.URL()+"/index.yaml", nil)
		hdr := map[string]string{"If-None-Match": resp.Header.Get("ETag"), "If-Modified-Since": resp.Header.Get("Last-Modified")}
		if resp, _ := get(t, s.URL()+"/index.yaml", hdr); resp.StatusCode != http.StatusNotModified {
			t.Errorf("validator %d: unchanged index answered %d", v, resp.StatusCode)
		}
		s.Add(Chart("common", "1.1.0", nil))
		if resp, _ := get(t, s.URL()+"/index.yaml", hdr); resp.StatusCode != http.StatusOK {
			t.Errorf("validator %d: changed index answered %d", v, resp.StatusCode)
		}
		if s.Count("/index.yaml", 0) != 3 || s.Count("/index.yaml", 304) != 1 || s.Downloads() != 2 {
			t.Errorf("validator %d: requests %v", v, s.Requests())
		}
	}
}

func TestServer_requiresBasicAuthWhenConfigured(t *testing.T) {
	s := Start(Options{Username: "ada", Password: "pw"})
	defer s.Close()
	if resp, _ := get(t, s.URL()+"/index.yaml", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous request answered %d", resp.StatusCode)
	}
	if resp, _ := get(t, strings.Replace(s.URL(), "http://", "http://ada:pw@", 1)+"/index.yaml", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("authenticated request answered %d", resp.StatusCode)
	}
}
