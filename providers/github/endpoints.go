package github

import (
	"fmt"
	"net/url"
	"strings"
)

const (
	publicAPIHost    = "api.github.com"
	publicUploadRoot = "https://uploads.github.com/"
)

// resolveURLs turns Options.APIURL and Options.UploadURL into go-github's
// BaseURL and UploadURL (see Options for the rules).
func resolveURLs(apiURL, uploadURL string) (*url.URL, *url.URL, error) {
	if apiURL == "" {
		apiURL = "https://" + publicAPIHost + "/"
	}
	api, err := parseRoot("API", apiURL)
	if err != nil {
		return nil, nil, err
	}
	public := strings.EqualFold(api.Host, publicAPIHost)
	// Like WithEnterpriseURLs, a given upload root of an enterprise server
	// gets "api/uploads/" appended; only the GHE.com host is exempt.
	upload, uploadSuffix := uploadURL, !public
	switch {
	case upload != "":
	case public:
		upload = publicUploadRoot
	case strings.HasPrefix(strings.ToLower(api.Host), "api."):
		// GHE.com: api.<tenant>.ghe.com uploads to uploads.<tenant>.ghe.com.
		upload = api.Scheme + "://uploads." + api.Host[len("api."):] + "/"
		uploadSuffix = false
	default:
		// GHES serves uploads beside the API: strip "api/v3/" so that
		// enterprise below appends "api/uploads/" to the server root.
		u := *api
		u.Path = strings.TrimSuffix(u.Path, "api/v3/")
		upload = u.String()
	}
	up, err := parseRoot("upload", upload)
	if err != nil {
		return nil, nil, err
	}
	if !public {
		api = enterprise(api, "api/v3/")
	}
	if uploadSuffix {
		up = enterprise(up, "api/uploads/")
	}
	return api, up, nil
}

// parseRoot parses an absolute http(s) URL and gives it the trailing slash
// go-github requires of its roots.
func parseRoot(what, s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("github: %s URL %q: %w", what, s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("github: %s URL %q: want an absolute http or https URL", what, s)
	}
	if u.User != nil {
		return nil, fmt.Errorf("github: %s URL must not carry credentials; use GITHUB_TOKEN", what)
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}

// enterprise applies go-github's WithEnterpriseURLs rule to one root:
// append suffix unless the path already ends with it or the host is an
// "api." host. It is restated here rather than called so that both roots
// are decided in one place; TestResolveURLs_matchesWithEnterpriseURLs keeps
// the two in step.
func enterprise(u *url.URL, suffix string) *url.URL {
	host := strings.ToLower(u.Host)
	if strings.HasSuffix(u.Path, "/"+suffix) || strings.HasPrefix(host, "api.") || strings.Contains(host, ".api.") {
		return u
	}
	c := *u
	c.Path += suffix
	return &c
}
