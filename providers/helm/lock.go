package helm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"helm.sh/helm/v3/pkg/chart"
)

// hashReq is helm v3.22's resolver.HashReq (internal/resolver, not
// importable): sha256 over the JSON of [requirements, locked], both as
// chart.Dependency values. Chart.lock's digest is this value; `helm
// dependency build` refuses a lock whose digest differs from the one
// computed from today's Chart.yaml. Requirements naming a repository by
// @name carry its URL, as helm substitutes it before hashing.
func hashReq(req, lock []*chart.Dependency) (string, error) {
	data, err := json.Marshal([2][]*chart.Dependency{req, lock})
	if err != nil {
		return "", err
	}
	// provenance.Digest, which helm calls, is the hex sha256 of the bytes;
	// importing it would pull an OpenPGP library into relctl for that.
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// hashV2Req is helm's HashV2Req: the digest helm 2 wrote into a v1
// chart's requirements.lock, which helm 3 still accepts (helm#7233).
func hashV2Req(req []*chart.Dependency) string {
	data, err := json.Marshal(map[string][]*chart.Dependency{"dependencies": req})
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// lockInSync reports whether lock was written by `helm dependency update`
// for exactly these requirements (helm's Manager.Build check). It also
// requires one locked entry per requirement, in order, which helm's
// resolver always writes and relctl relies on to pin each one.
func lockInSync(req []*chart.Dependency, lock *chart.Lock) bool {
	sum, err := hashReq(req, lock.Dependencies)
	if err != nil || len(lock.Dependencies) != len(req) {
		return false
	}
	if sum != lock.Digest && hashV2Req(req) != lock.Digest {
		return false
	}
	for i, l := range lock.Dependencies {
		if l == nil || l.Name != req[i].Name {
			return false
		}
	}
	return true
}

// LockInSync reports whether the Chart.lock of the chart in dir is in sync
// with its Chart.yaml by helm's rule: true when there is no lock or no
// dependency to lock. It works offline; a dependency on @name is looked up
// in repositories.yaml, and an unknown name is an error.
func (p *Packager) LockInSync(dir string) (bool, error) {
	ch, err := p.load(dir, dirName(dir))
	if err != nil {
		return false, err
	}
	if ch.Lock == nil {
		return true, nil
	}
	req := make([]*chart.Dependency, len(ch.Metadata.Dependencies))
	for i, d := range ch.Metadata.Dependencies {
		c := *d
		if isNamedRepo(d.Repository) {
			r, err := p.namedRepository(d.Repository)
			if err != nil {
				return false, err
			}
			c.Repository = r.URL
		}
		req[i] = &c
	}
	return lockInSync(req, ch.Lock), nil
}
