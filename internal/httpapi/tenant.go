package httpapi

import (
	"fmt"
	"net/http"
	"regexp"
)

// AllTenants is the tenant of head office: a principal with it sees every centre.
const AllTenants = "*"

var tenantRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// ValidateTenant checks a principal's tenant: a centre code (letters, digits, - and _, at most
// 32) or AllTenants.
func ValidateTenant(t string) error {
	switch {
	case t == "":
		return fmt.Errorf("tenant is empty: give the centre's code (e.g. \"GD\") or %q for head office", AllTenants)
	case t == AllTenants || tenantRE.MatchString(t):
		return nil
	}
	return fmt.Errorf("tenant %q is not a centre code (letters, digits, - and _, at most 32) nor %q for head office", t, AllTenants)
}

// Sees reports whether p may see the data of centre tenant.
func (p Principal) Sees(tenant string) bool {
	return p.Tenant == AllTenants || (p.Tenant != "" && p.Tenant == tenant)
}

// TenantError is a request for a centre the principal may not see.
type TenantError struct {
	Principal Principal
	Asked     string
}

func (e *TenantError) Error() string {
	return fmt.Sprintf("user %s of centre %s may not see centre %s", e.Principal.User, e.Principal.Tenant, e.Asked)
}

// EffectiveTenant is the centre a query of p may cover when it asks for asked (a ?tenant=
// parameter; "" asks for everything p sees): a parameter can narrow what p sees, never widen
// it. It returns "" for "every centre" (head office asking for no particular one), else the one
// centre to filter by, or a *TenantError.
func EffectiveTenant(p Principal, asked string) (string, error) {
	switch {
	case p.Tenant == AllTenants:
		return asked, nil
	case p.Tenant == "":
		return "", &TenantError{Principal: p, Asked: "any"}
	case asked == "" || asked == p.Tenant:
		return p.Tenant, nil
	}
	return "", &TenantError{Principal: p, Asked: asked}
}

// TenantFilter resolves the request's ?tenant= against its principal (EffectiveTenant). On a
// widening it has already answered 403 and returns ok false, so a handler needs only
//
//	tenant, ok := httpapi.TenantFilter(w, r)
//	if !ok {
//		return
//	}
func TenantFilter(w http.ResponseWriter, r *http.Request) (tenant string, ok bool) {
	p, _ := PrincipalFrom(r.Context())
	t, err := EffectiveTenant(p, r.URL.Query().Get("tenant"))
	if err != nil {
		Error(w, http.StatusForbidden, err.Error())
		return "", false
	}
	return t, true
}
