package ci

import (
	"fmt"
	"slices"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// verifyIndex checks the chart version's entry in the chart repository
// index against the release's package, whose digest (layer) was already
// found equal to the registry's chart layer: what `helm repo add` users
// download is then what the registry and the release hold.
func verifyIndex(spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState, layer string) (bool, string) {
	ix, hr := snap.Index, spec.HelmRepository
	where := fmt.Sprintf("%s on branch %s", hr.Path, hr.Branch)
	e, ok := ix.Entries[c.Name]
	if !ok {
		return false, fmt.Sprintf("%s %s is not in %s", c.Name, c.Version, where)
	}
	want := strings.TrimPrefix(layer, "sha256:")
	if e.Digest != want {
		return false, fmt.Sprintf("%s lists digest %s, the release asset and the registry hold %s", where, short("sha256:"+e.Digest), short(layer))
	}
	url := state.AssetURL(ix.DownloadBase, c.Tag, cs.Package.FileName)
	if !slices.Contains(e.URLs, url) {
		return false, fmt.Sprintf("%s points at %s, not the release asset %s", where, strings.Join(e.URLs, " "), url)
	}
	return true, fmt.Sprintf("the %s digest = the release asset = the registry's chart layer (%s)", where, short(layer))
}
