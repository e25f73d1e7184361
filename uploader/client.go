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
	"net/http"
	"net/url"
	"strings"
	"time"

	"perenos/backoff"
	"perenos/portal"
)

// ClientOptions tune the portal API client.
type ClientOptions struct {
	HTTP        *http.Client  // default: a client with sensible timeouts
	MaxAttempts int           // tries per request, first included (default 6)
	BaseDelay   time.Duration // first backoff (default 200ms), doubled each try with jitter
	MaxDelay    time.Duration // cap of any wait, Retry-After included (default 30s)
	// Sleep waits between tries; tests pass a fake. Default: a timer that
	// ends early when ctx is cancelled.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client is the Target for the portal's import API (portal/openapi.yaml).
// It retries what the contract says is transient (network errors, 408,
// 409, 429, 5xx), honouring Retry-After, and never retries a permanent
// answer.
type Client struct {
	base   string
	tokens map[string]string
	opt    ClientOptions
}

var _ Target = (*Client)(nil)

// NewClient returns a client for the portal at base with per-site tokens.
func NewClient(base string, tokens map[string]string, opt ClientOptions) *Client {
	if opt.HTTP == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ExpectContinueTimeout = 2 * time.Second
		tr.ResponseHeaderTimeout = 2 * time.Minute
		opt.HTTP = &http.Client{Transport: tr}
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 6
	}
	if opt.BaseDelay <= 0 {
		opt.BaseDelay = 200 * time.Millisecond
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = 30 * time.Second
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	return &Client{base: strings.TrimSuffix(base, "/"), tokens: tokens, opt: opt}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PermanentError is an answer the contract says must not be retried.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err must not be retried.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// request is one API call; body makes the request body afresh for each try.
type request struct {
	method, site, path string
	ctype              string
	body               func() (io.ReadCloser, error)
	size               int64
	expectContinue     bool
	idempotencyKey     string
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

// do sends r, retrying transient failures, and returns a response with a
// 2xx status (the caller closes its body).
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	tok, ok := c.tokens[r.site]
	if !ok {
		return nil, &PermanentError{fmt.Errorf("no portal token for site %s (add it to the tokens file)", r.site)}
	}
	u := c.base + "/api/v1/sites/" + url.PathEscape(r.site) + r.path
	var last error
	for attempt := 1; ; attempt++ {
		// A cancelled context means no further writes, not even a first one.
		if err := ctx.Err(); err != nil {
			return nil, err
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
		req.Header.Set("Authorization", "Bearer "+tok)
		if r.idempotencyKey != "" {
			req.Header.Set("Idempotency-Key", r.idempotencyKey)
		}
		req.Header.Set("Accept", "application/json, application/problem+json")
		resp, err := c.opt.HTTP.Do(req)
		wait := time.Duration(0)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			last = fmt.Errorf("%s %s: %w", r.method, u, err)
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		default:
			perr := readProblem(resp)
			resp.Body.Close()
			if !retryable(resp.StatusCode) {
				return nil, &PermanentError{perr}
			}
			last = perr
			wait = backoff.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		if attempt >= c.opt.MaxAttempts {
			return nil, fmt.Errorf("gave up after %d tries: %w", attempt, last)
		}
		wait = backoff.Policy{Base: c.opt.BaseDelay, Max: c.opt.MaxDelay}.Wait(attempt, wait)
		if err := c.opt.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retryable reports whether the contract calls a status transient.
func retryable(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// readProblem turns an error answer into a *portal.Problem.
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
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %w", ErrNotFound, p)
	}
	return p
}

func objectPath(kind portal.Kind, key string) string {
	return "/" + string(kind) + "/" + url.PathEscape(key)
}

// Put upserts a JSON object.
func (c *Client) Put(ctx context.Context, site string, kind portal.Kind, key string, obj any) (portal.PutResult, error) {
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

// PutFile streams a file to the portal under its SHA-256. The request asks
// 100-continue, so a file the portal already holds is not sent again.
func (c *Client) PutFile(ctx context.Context, site, sha string, size int64, body func() (io.ReadCloser, error)) (portal.PutResult, error) {
	resp, err := c.do(ctx, request{method: http.MethodPut, site: site, path: "/files/" + sha, ctype: "application/octet-stream",
		size: size, body: body, expectContinue: true, idempotencyKey: idempotencyKey(site, string(portal.KindFile), sha)})
	if err != nil {
		return portal.PutResult{}, fmt.Errorf("put file %s: %w", sha, err)
	}
	return decodeResult(resp)
}

func decodeResult(resp *http.Response) (portal.PutResult, error) {
	defer resp.Body.Close()
	var res portal.PutResult
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&res); err != nil {
		return res, fmt.Errorf("portal answer %d: %w", resp.StatusCode, err)
	}
	res.Created = resp.StatusCode == http.StatusCreated
	return res, nil
}

// Get reads an object back.
func (c *Client) Get(ctx context.Context, site string, kind portal.Kind, key string) (json.RawMessage, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, site: site, path: objectPath(kind, key)})
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, key, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, key, err)
	}
	return data, nil
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
	resp.Body.Close()
	return nil
}

// List returns the keys of a site's collection.
func (c *Client) List(ctx context.Context, site string, kind portal.Kind) ([]string, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, site: site, path: "/" + string(kind)})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	defer resp.Body.Close()
	var kl portal.KeyList
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&kl); err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	return kl.Keys, nil
}

// Tree reads a site's section tree and counts from the portal.
func (c *Client) Tree(ctx context.Context, site string) (*portal.SiteTree, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, site: site, path: ""})
	if err != nil {
		return nil, fmt.Errorf("site tree: %w", err)
	}
	defer resp.Body.Close()
	var tree portal.SiteTree
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&tree); err != nil {
		return nil, fmt.Errorf("site tree: %w", err)
	}
	return &tree, nil
}
