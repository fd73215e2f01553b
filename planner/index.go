package planner

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// TypeHelmIndexEntry is the chart version's entry in the classic chart
// repository index (helm_repository).
const TypeHelmIndexEntry ResourceType = "helm_index_entry"

// IndexEntryChange is what writing the chart version's index entry needs.
// Entries are written together, once per apply, after the releases they
// point at are published.
type IndexEntryChange struct {
	Branch  string `json:"branch"`
	Path    string `json:"path"`
	Chart   string `json:"chart"`
	Version string `json:"version"`
	// URL is the release's .tgz browser_download_url.
	URL string `json:"url"`
	// Digest is hex sha256 of the released package.
	Digest string `json:"digest"`
	// Created is the released commit's time, else the package time.
	Created time.Time `json:"created"`
	// Metadata is the Chart.yaml metadata as JSON.
	Metadata json.RawMessage `json:"metadata"`
}

func (ic *IndexEntryChange) record() state.IndexRecord {
	return state.IndexRecord{Chart: ic.Chart, Version: ic.Version, URL: ic.URL, Digest: ic.Digest, Created: ic.Created, Metadata: ic.Metadata}
}

// planIndex decides the chart version's index entry. The index is compared
// on digest and URLs only: created, generated and key order differ between
// tools and mean nothing, so an index made by chart-releaser or `helm repo
// index` for the same packages is adopted as it is.
//
// An entry naming another digest is the index's word against ours: it is
// kept when the registry or the published release holds that digest (they
// are what users download), restored when our published release disagrees
// with it (someone edited the index), and blocked otherwise (the version
// was published elsewhere with other bytes: bump it).
func planIndex(spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState) Change {
	ix := snap.Index
	hr := spec.HelmRepository
	want := &IndexEntryChange{
		Branch: hr.Branch, Path: hr.Path, Chart: c.Name, Version: c.Version,
		URL:      state.AssetURL(ix.DownloadBase, c.Tag, cs.Package.FileName),
		Digest:   strings.TrimPrefix(cs.ReleasedDigest(), "sha256:"),
		Created:  created(snap, cs),
		Metadata: cs.Package.Config,
	}
	if spec.ArtifactHub != nil {
		want.Metadata = withChanges(want.Metadata, cs.Changelog, c.Version)
	}
	ch := Change{
		Address: fmt.Sprintf("%s.%s", TypeHelmIndexEntry, c.Name),
		Type:    TypeHelmIndexEntry,
		Chart:   c.Name,
		After:   map[string]string{"version": c.Version, "digest": "sha256:" + want.Digest, "url": want.URL, "index": hr.Branch + ":" + hr.Path},
		Index:   want,
	}
	have, ok := ix.Entries[c.Name]
	if !ok {
		ch.Action, ch.Fingerprint = ActionCreate, "absent"
		ch.Reason = fmt.Sprintf("%s %s is not in %s on branch %s; added once its release is published", c.Name, c.Version, hr.Path, hr.Branch)
		return ch
	}
	ch.Fingerprint = have.Digest + " " + strings.Join(have.URLs, " ")
	ch.Before = map[string]string{"version": c.Version, "digest": "sha256:" + have.Digest, "url": strings.Join(have.URLs, " "), "index": hr.Branch + ":" + hr.Path}
	hasURL := false
	for _, u := range have.URLs {
		hasURL = hasURL || u == want.URL
	}
	switch {
	case have.Digest == want.Digest && hasURL:
		ch.Action, ch.After, ch.Index = ActionNoOp, ch.Before, nil
		ch.Reason = "listed, digest " + short("sha256:"+have.Digest)
	case have.Digest == want.Digest:
		ch.Action = ActionUpdate
		ch.Reason = fmt.Sprintf("the entry's URLs (%s) do not name the release asset; pointed at %s", ch.Before["url"], want.URL)
	default:
		if who := holdsDigest(cs, "sha256:"+have.Digest); who != "" {
			ch.Action, ch.After, ch.Index = ActionNoOp, ch.Before, nil
			ch.Reason = fmt.Sprintf("the entry's digest %s is not the local package's, but %s holds it: kept", short("sha256:"+have.Digest), who)
			return ch
		}
		if published(cs, "sha256:"+want.Digest) {
			ch.Action = ActionUpdate
			ch.Reason = fmt.Sprintf("the entry's digest %s ≠ the published package's %s: the index was altered; restored", short("sha256:"+have.Digest), short("sha256:"+want.Digest))
			return ch
		}
		ch.Action, ch.Index = ActionBlocked, nil
		ch.Reason = fmt.Sprintf("%s already lists %s %s with digest %s, which neither the registry nor the release holds: another package was published under this version; bump the chart version",
			hr.Path, c.Name, c.Version, short("sha256:"+have.Digest))
	}
	return ch
}

// created is the index entry's time: when the released commit was made,
// which is when this version came to be. The package time (the chart
// folder's last commit, or SOURCE_DATE_EPOCH) stands in when the commit's
// time is unknown. Both are deterministic, so re-planning the same commit
// writes the same entry.
func created(snap *state.Snapshot, cs *state.ChartState) time.Time {
	if !snap.CommitTime.IsZero() {
		return snap.CommitTime.UTC()
	}
	return cs.Package.Created.UTC()
}

// holdsDigest says which of the registry and the published release holds a
// package with digest d, "" when neither does.
func holdsDigest(cs *state.ChartState, d string) string {
	if cs.OCI.Exists && len(cs.OCI.RemoteArchive) > 0 && digestOf(cs.OCI.RemoteArchive) == d {
		return "the registry's chart layer"
	}
	if a := publishedPackage(cs); a != nil && a.Digest == d {
		return "the published release asset " + a.Name
	}
	return ""
}

// published reports whether the chart's release is published carrying the
// package with digest d.
func published(cs *state.ChartState, d string) bool {
	a := publishedPackage(cs)
	return a != nil && a.Digest == d
}

// publishedPackage is the .tgz asset of the chart's published release.
func publishedPackage(cs *state.ChartState) *state.Asset {
	for i := range cs.Releases {
		r := &cs.Releases[i]
		if r.Draft {
			continue
		}
		for j := range r.Assets {
			if a := &r.Assets[j]; a.Name == cs.Package.FileName && a.State == "uploaded" {
				return a
			}
		}
	}
	return nil
}
