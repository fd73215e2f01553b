package githubtest

import (
	"mime"
	"net/http"
	"strconv"
)

// downloadStorage serves an asset's bytes: the stand-in for the signed
// storage URL GitHub redirects downloads to. Like that URL it needs no
// Authorization header and carries no rate-limit headers.
func downloadStorage(c *call) {
	id, err := strconv.ParseInt(c.params["asset_id"], 10, 64)
	if err != nil {
		c.notFound("")
		return
	}
	for _, rp := range c.s.repos {
		if _, a := rp.asset(id); a != nil && a.State == "uploaded" {
			a.DownloadCount++
			c.res.header.Set("Content-Type", "application/octet-stream")
			c.res.header.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
			c.res.header.Set("Content-Length", strconv.Itoa(len(a.Data)))
			c.res.WriteHeader(http.StatusOK)
			_, _ = c.res.Write(a.Data)
			return
		}
	}
	c.notFound("")
}

// downloadBrowser resolves a browser_download_url
// ("/{owner}/{repo}/releases/download/{tag}/{name}") and redirects to
// storage, as github.com does. A draft's URL uses its "untagged-<hex>" name.
func downloadBrowser(c *call) {
	rp := c.s.repos[repoKey(c.params["owner"], c.params["repo"])]
	if rp == nil {
		c.notFound("")
		return
	}
	for _, r := range rp.releases {
		if displayTag(rp, r) != c.params["tag"] {
			continue
		}
		if a := findAsset(r, c.params["name"]); a != nil {
			c.res.header.Set("Location", c.webBase+"_downloads/"+itoa(a.ID))
			c.res.WriteHeader(http.StatusFound)
			return
		}
	}
	c.notFound("")
}
