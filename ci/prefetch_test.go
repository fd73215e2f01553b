package ci

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// countingFiles serves asset bytes and counts each asset's downloads.
type countingFiles struct {
	mu    sync.Mutex
	files map[int64][]byte
	reads map[int64]int
}

func (c *countingFiles) DownloadAsset(ctx context.Context, id int64, limit int64) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads[id]++
	b, ok := c.files[id]
	if !ok {
		return nil, fmt.Errorf("asset %d not found", id)
	}
	return b, nil
}

// The files Verify reads are downloaded once, early, and nothing else is:
// not the .tgz (compared by digest), not another chart's or an undeclared
// tag's files, not a second time when the list comes again.
func TestPrefetch_downloadsWhatVerifyReadsOnceAndNothingElse(t *testing.T) {
	spec := &config.Spec{
		Signing: config.Signing{Mode: config.SigningKey, Format: config.FormatLegacy},
		GitHub:  &config.GitHub{Repository: "acme/charts"},
		Charts:  []config.Chart{{Name: "a", Version: "1.0.0", Tag: "a-v1.0.0"}},
	}
	spec.Release.Lineage = true
	files := &countingFiles{files: map[int64][]byte{1: []byte("tgz"), 2: []byte("sig"), 3: []byte("lineage"), 4: []byte("other sig")}, reads: map[int64]int{}}
	rels := []state.Release{
		{TagName: "a-v1.0.0", Assets: []state.Asset{
			{ID: 1, Name: "a-1.0.0.tgz", State: "uploaded"},
			{ID: 2, Name: "a-1.0.0.tgz.sig", State: "uploaded"},
			{ID: 3, Name: "a-attestation-lineage.json", State: "uploaded"},
		}},
		{TagName: "b-v1.0.0", Assets: []state.Asset{{ID: 4, Name: "b-1.0.0.tgz.sig", State: "uploaded"}}},
	}
	p := NewPrefetch(context.Background(), files)
	p.Releases(spec, rels)
	p.Releases(spec, rels)
	for id, limit := range map[int64]int64{2: maxSignatureAsset, 3: maxLineageAsset} {
		b, err := p.DownloadAsset(context.Background(), id, limit)
		if err != nil || string(b) != string(files.files[id]) {
			t.Fatalf("asset %d: %q, %v", id, b, err)
		}
	}
	files.mu.Lock()
	defer files.mu.Unlock()
	if want := map[int64]int{2: 1, 3: 1}; fmt.Sprint(files.reads) != fmt.Sprint(want) {
		t.Errorf("downloads by asset %v, want %v", files.reads, want)
	}
}
