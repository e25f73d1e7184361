package uploader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"perenos/backoff"
	"perenos/portal"
)

// ClientOptions tune the portal API client.
type ClientOptions struct {
	// HTTP is the client to send with; default: one that keeps a
	// connection per request in flight alive between requests.
	HTTP *http.Client
	// Connections is how many writes per site the portal takes well at
	// once (the target's Properties; default 4).
	Connections int
}

// Client is the Target for the portal's import API (portal/openapi.yaml).
// It sends each request once and says what the answer was; retrying is
// WithRetry's job, and rate limiting WithRateLimit's.
type Client struct {
	base   string
	tokens map[string]string
	opt    ClientOptions
}

var (
	_ Target     = (*Client)(nil)
	_ Reader     = (*Client)(nil)
	_ Lister     = (*Client)(nil)
	_ Deleter    = (*Client)(nil)
	_ Identifier = (*Client)(nil)
)

// NewClient returns a client for the portal at base with per-site tokens.
func NewClient(base string, tokens map[string]string, opt ClientOptions) *Client {
	if opt.HTTP == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ExpectContinueTimeout = 2 * time.Second
		tr.ResponseHeaderTimeout = 2 * time.Minute
		// Keep as many idle connections as requests may be in flight, so
		// that each request reuses one instead of dialling anew.
		tr.MaxIdleConnsPerHost = 64
		opt.HTTP = &http.Client{Transport: tr}
	}
	if opt.Connections <= 0 {
		opt.Connections = 4
	}
	return &Client{base: strings.TrimSuffix(base, "/"), tokens: tokens, opt: opt}
}

// Properties say how many writes per site to send at once.
func (c *Client) Properties() Properties { return Properties{Connections: c.opt.Connections} }

// URL is the portal's base URL.
func (c *Client) URL() string { return c.base }

// errNoToken says the tokens file has no line for a site.
var errNoToken = errors.New("no portal token for the site")

// request is one API call; body makes the request body afresh.
type request struct {
	method, site, path string
	ctype              string
	body               func() (io.ReadCloser, error)
	size               int64
	expectContinue     bool
	idempotencyKey     string
	noAuth             bool
}

// idempotencyKey names one write for the portal: the same site, object and
// content always give the same key, so a run that was killed after the
// portal answered and before the ledger recorded it gets, on its next
// try, the portal's first answer (201 stays 201: perenos created it).
func idempotencyKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:40]
}

// do sends r once and returns a response with a 2xx status (the caller
// closes its body), or the error: a *StatusError for an answer, an
// *UnreachableError when nothing answers at the portal's address.
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + "/api/v1"
	if r.site != "" {
		u += "/sites/" + url.PathEscape(r.site)
	}
	u += r.path
	// A cancelled context means no further writes, not even a first one.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var tok string
	if !r.noAuth {
		t, ok := c.tokens[r.site]
		if !ok {
			return nil, &PermanentError{fmt.Errorf("%w %s (add it to the tokens file)", errNoToken, r.site)}
		}
		tok = t
	}
	var body io.ReadCloser
	if r.body != nil {
		b, err := r.body()
		if err != nil {
			return nil, &PermanentError{fmt.Errorf("read what to send: %w", err)}
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return nil, &PermanentError{err}
	}
	if body != nil {
		req.ContentLength = r.size
		req.Header.Set("Content-Type", r.ctype)
		if r.expectContinue {
			req.Header.Set("Expect", "100-continue")
		}
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if r.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", r.idempotencyKey)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	resp, err := c.opt.HTTP.Do(req)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if unreachable(err) {
			return nil, &UnreachableError{URL: c.base, Err: err}
		}
		return nil, fmt.Errorf("%s %s: %w", r.method, u, err)
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp, nil
	}
	defer closeBody(resp)
	return nil, readProblem(resp)
}

// unreachable reports whether a request failed because nothing answers at
// the address: no such host, connection refused, no route.
func unreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// closeBody reads what is left of a body before closing it, so that the
// connection can carry the next request.
func closeBody(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// readProblem turns an error answer into a *StatusError.
func readProblem(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	p := &portal.Problem{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/problem+json" || mt == "application/json" {
		var got portal.Problem
		if json.Unmarshal(data, &got) == nil && got.Title != "" {
			got.Status = resp.StatusCode
			p = &got
		}
	} else if len(data) > 0 {
		p.Detail = strings.TrimSpace(string(data[:min(len(data), 200)]))
	}
	e := &StatusError{Status: resp.StatusCode, Problem: p}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = backoff.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

func objectPath(kind portal.Kind, key string) string {
	return "/" + string(kind) + "/" + url.PathEscape(key)
}

// Put upserts an object in its collection.
func (c *Client) Put(ctx context.Context, site, key string, obj portal.Object) (portal.PutResult, error) {
	kind := obj.Kind()
	data, err := json.Marshal(obj)
	if err != nil {
		return portal.PutResult{}, &PermanentError{fmt.Errorf("encode %s %s: %w", kind, key, err)}
	}
	resp, err := c.do(ctx, request{method: http.MethodPut, site: site, path: objectPath(kind, key), ctype: "application/json",
		size: int64(len(data)), body: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		idempotencyKey: idempotencyKey(site, string(kind), key, string(data))})
	if err != nil {
		return portal.PutResult{}, fmt.Errorf("put %s %s: %w", kind, key, err)
	}
	return decodeResult(resp)
}

// continueFrom is the size from which a file's PUT asks 100-continue: a
// file the portal already holds is then not sent again, at the cost of
// one more round trip, which smaller files are cheaper to pay in bytes.
const continueFrom = 256 << 10

// PutFile streams a file to the portal under its SHA-256. For a large
// file the request asks 100-continue, so that a file the portal already
// holds is not sent again.
func (c *Client) PutFile(ctx context.Context, site string, f File) (portal.PutResult, error) {
	resp, err := c.do(ctx, request{method: http.MethodPut, site: site, path: "/files/" + f.SHA256, ctype: "application/octet-stream",
		size: f.Size, body: f.Open, expectContinue: f.Size >= continueFrom, idempotencyKey: idempotencyKey(site, string(portal.KindFile), f.SHA256)})
	if err != nil {
		return portal.PutResult{}, fmt.Errorf("put file %s: %w", f.SHA256, err)
	}
	return decodeResult(resp)
}

func decodeResult(resp *http.Response) (portal.PutResult, error) {
	defer closeBody(resp)
	var res portal.PutResult
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&res); err != nil {
		return res, fmt.Errorf("portal answer %d: %w", resp.StatusCode, err)
	}
	res.Created = resp.StatusCode == http.StatusCreated
	return res, nil
}

// getJSON reads one JSON answer into v.
func (c *Client) getJSON(ctx context.Context, r request, v any) error {
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	defer closeBody(resp)
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(v); err != nil {
		return fmt.Errorf("portal answer: %w", err)
	}
	return nil
}

// Identity asks the portal for its ID.
func (c *Client) Identity(ctx context.Context) (portal.Info, error) {
	var info portal.Info
	if err := c.getJSON(ctx, request{method: http.MethodGet, path: "/portal", noAuth: true}, &info); err != nil {
		return info, fmt.Errorf("portal identity: %w", err)
	}
	if !portal.ValidKey(info.ID) {
		return info, &PermanentError{fmt.Errorf("the portal at %s names itself %q, which is not a valid portal ID", c.base, info.ID)}
	}
	return info, nil
}

// Get reads an object back.
func (c *Client) Get(ctx context.Context, site string, kind portal.Kind, key string) (portal.Object, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, site: site, path: objectPath(kind, key)})
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, key, err)
	}
	defer closeBody(resp)
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, key, err)
	}
	obj, err := portal.DecodeObject(kind, data)
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, key, err)
	}
	return obj, nil
}

// GetFile reads a file back; the caller closes it.
func (c *Client) GetFile(ctx context.Context, site, sha string) (io.ReadCloser, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, site: site, path: "/files/" + sha})
	if err != nil {
		return nil, fmt.Errorf("get file %s: %w", sha, err)
	}
	return resp.Body, nil
}

// Delete removes an object or, for kind files, a file.
func (c *Client) Delete(ctx context.Context, site string, kind portal.Kind, key string) error {
	resp, err := c.do(ctx, request{method: http.MethodDelete, site: site, path: objectPath(kind, key)})
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", kind, key, err)
	}
	closeBody(resp)
	return nil
}

// List returns the keys of a site's collection.
func (c *Client) List(ctx context.Context, site string, kind portal.Kind) ([]string, error) {
	var kl portal.KeyList
	if err := c.getJSON(ctx, request{method: http.MethodGet, site: site, path: "/" + string(kind)}, &kl); err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	return kl.Keys, nil
}

// Tree reads a site's section tree and counts from the portal.
func (c *Client) Tree(ctx context.Context, site string) (*portal.SiteTree, error) {
	var tree portal.SiteTree
	if err := c.getJSON(ctx, request{method: http.MethodGet, site: site, path: ""}, &tree); err != nil {
		return nil, fmt.Errorf("site tree: %w", err)
	}
	return &tree, nil
}
