// Package graph will hold the Microsoft Graph authentication-methods client
// (msgraph-sdk-go with azidentity credentials), its guardrails and the Graph
// simulator used in local mode and tests. It is empty until that work lands
// (issue 4); the bot does not read or change sign-in methods yet.
package graph
