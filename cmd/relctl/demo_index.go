package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"

	"sigs.k8s.io/yaml"
)

// showIndex fetches index.yaml from the sandbox's Pages site, as `helm repo
// add` does, lists its entries and checks that each URL downloads the
// package with the digest the index gives.
func (d *demo) showIndex() {
	out := d.env.Stdout
	url := d.sb.pagesURL()
	fmt.Fprintf(out, "\n$ helm repo add acme %s\n", url)
	body, err := httpGet(d, url+"index.yaml")
	if err != nil {
		d.fails = append(d.fails, "fetch index.yaml: "+err.Error())
		return
	}
	var idx struct {
		Entries map[string][]struct {
			Version string   `json:"version"`
			Digest  string   `json:"digest"`
			URLs    []string `json:"urls"`
		} `json:"entries"`
	}
	if err := yaml.Unmarshal(body, &idx); err != nil {
		d.fails = append(d.fails, "index.yaml does not parse: "+err.Error())
		return
	}
	fmt.Fprintf(out, "\nindex.yaml on gh-pages (%d bytes):\n", len(body))
	for _, name := range slices.Sorted(maps.Keys(idx.Entries)) {
		for _, e := range idx.Entries[name] {
			if len(e.URLs) == 0 {
				continue
			}
			pkg, err := httpGet(d, e.URLs[0])
			sum := sha256.Sum256(pkg)
			verdict := "downloads, digest matches"
			if err != nil || hex.EncodeToString(sum[:]) != e.Digest {
				verdict = "DOES NOT MATCH"
				d.fails = append(d.fails, fmt.Sprintf("index entry %s %s: its URL does not download its digest", name, e.Version))
			}
			fmt.Fprintf(out, "  %-12s %-7s %s  (%s)\n", name, e.Version, e.URLs[0], verdict)
		}
	}
}

func httpGet(d *demo, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
