package urlaudit

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"perenos/uploader"
)

// RedirectCheck is what one old address answered after the domain
// switch.
type RedirectCheck struct {
	From     string `json:"from"`
	Want     string `json:"want"`
	Status   int    `json:"status"`
	Location string `json:"location,omitempty"`
	// Landed is the status of the page the redirect leads to.
	Landed int    `json:"landed,omitempty"`
	OK     bool   `json:"ok"`
	Why    string `json:"why,omitempty"`
}

// CheckRedirects asks each old address of the map for its answer, as a
// browser would after the organisation's domain points at the portal: a
// 301 (or 308) whose Location is the item's new address, which answers
// 200. The client must not follow redirects itself.
func CheckRedirects(ctx context.Context, client *http.Client, rs []uploader.Redirect) ([]RedirectCheck, error) {
	out := make([]RedirectCheck, 0, len(rs))
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		c := RedirectCheck{From: r.From, Want: r.To}
		status, loc, err := head(ctx, client, r.From)
		c.Status, c.Location = status, loc
		switch {
		case err != nil:
			c.Why = err.Error()
		case status != http.StatusMovedPermanently && status != http.StatusPermanentRedirect:
			c.Why = fmt.Sprintf("answered %d, not a permanent redirect", status)
		default:
			to := resolve(r.From, loc)
			if to != r.To && resolve(r.From, r.To) != to {
				c.Why = "redirects to " + to + ", not to " + r.To
				break
			}
			landed, _, err := head(ctx, client, to)
			c.Landed = landed
			switch {
			case err != nil:
				c.Why = "the new address: " + err.Error()
			case landed != http.StatusOK:
				c.Why = fmt.Sprintf("the new address answered %d", landed)
			default:
				c.OK = true
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func head(ctx context.Context, client *http.Client, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := b.Parse(ref)
	if err != nil {
		return ref
	}
	return r.String()
}
