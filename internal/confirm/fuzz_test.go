package confirm

import "testing"

// FuzzParseToken feeds arbitrary confirmation_token strings (a model sends
// them) to the token parser: it must never panic, and nothing but a token
// signed with the key may parse. Seeds live in testdata/fuzz/FuzzParseToken.
func FuzzParseToken(f *testing.F) {
	key := make([]byte, keyBytes)
	good, err := sign(key, claims{Version: tokenVersion, ID: "0123456789abcdef0123456789abcdef", Tool: "t", Mode: modeToken})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("eyJ2IjoxfQ.AAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parse(key, tok)
		if err == nil && tok != good && c.ID == "" {
			t.Fatalf("%q parsed without an id", tok)
		}
	})
}
