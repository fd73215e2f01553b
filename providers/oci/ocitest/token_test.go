package ocitest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// getToken asks the token endpoint for scopes; user "" asks anonymously.
func getToken(t *testing.T, s *Server, user, pass string, scopes ...string) (string, int) {
	t.Helper()
	q := url.Values{"service": {s.Host}, "scope": scopes}
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.Host+TokenPath+"?"+q.Encode(), nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return body.Token, resp.StatusCode
}

func bearerGet(t *testing.T, s *Server, path, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.Host+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestStart_tokenModeChallengesAndChecksScopes(t *testing.T) {
	s, err := Start(context.Background(), Options{Token: true, Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp := bearerGet(t, s, "/v2/acme/alpha/manifests/1.0.0", "")
	challenge := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized ||
		!strings.HasPrefix(challenge, `Bearer realm="http://`+s.Host+TokenPath+`"`) ||
		!strings.Contains(challenge, `scope="repository:acme/alpha:pull"`) {
		t.Fatalf("anonymous GET = %d %q, want 401 with a Bearer challenge naming the token endpoint and the scope", resp.StatusCode, challenge)
	}
	if _, code := getToken(t, s, "u", "wrong", "repository:acme/alpha:pull"); code != http.StatusUnauthorized {
		t.Fatalf("token with a wrong password = %d, want 401", code)
	}
	if _, code := getToken(t, s, "", "", "repository:acme/alpha:pull"); code != http.StatusUnauthorized {
		t.Fatalf("anonymous token on a registry with credentials = %d, want 401", code)
	}
	// One token for two repositories (several scope parameters, as GHCR
	// and the token spec allow): it opens both, and no third.
	tok, code := getToken(t, s, "u", "p", "repository:acme/alpha:pull", "repository:acme/beta:pull")
	if code != http.StatusOK || tok == "" {
		t.Fatalf("token = %d, want 200 and a token", code)
	}
	for path, want := range map[string]int{
		"/v2/acme/alpha/manifests/1.0.0": http.StatusNotFound, // authorised, nothing there
		"/v2/acme/beta/manifests/1.0.0":  http.StatusNotFound,
		"/v2/acme/gamma/manifests/1.0.0": http.StatusUnauthorized,
	} {
		if got := bearerGet(t, s, path, tok).StatusCode; got != want {
			t.Errorf("GET %s with the two-repository token = %d, want %d", path, got, want)
		}
	}
	if got := bearerGet(t, s, "/v2/acme/alpha/manifests/1.0.0", tok+"x").StatusCode; got != http.StatusUnauthorized {
		t.Errorf("GET with a forged token = %d, want 401", got)
	}
	if got := s.TokenRequests(); got != 3 {
		t.Errorf("TokenRequests = %d, want 3", got)
	}
}

func TestStart_tokenModePushesAndPullsThroughOras(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Options{Token: true, Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	repo, err := remote.NewRepository(s.Host + "/acme/alpha")
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	repo.Client = &auth.Client{Cache: auth.NewCache(), Credential: auth.StaticCredential(s.Host, auth.Credential{Username: "u", Password: "p"})}
	desc, err := oras.PushBytes(ctx, repo, "application/octet-stream", []byte("hello"))
	if err != nil {
		t.Fatalf("push with credentials: %v", err)
	}
	if _, _, err := oras.FetchBytes(ctx, repo.Blobs(), desc.Digest.String(), oras.DefaultFetchBytesOptions); err != nil {
		t.Fatalf("pull with credentials: %v", err)
	}
	if s.TokenRequests() == 0 {
		t.Error("no token was asked for")
	}
	repo.Client = &auth.Client{Cache: auth.NewCache(), Credential: auth.StaticCredential(s.Host, auth.Credential{Username: "u", Password: "bad"})}
	if _, _, err := oras.FetchBytes(ctx, repo.Blobs(), desc.Digest.String(), oras.DefaultFetchBytesOptions); err == nil {
		t.Fatal("pull with a wrong password: no error")
	}
}
