// The Integrations page's GraphQL: webhooks of a scope (list, create, change, rotate, resume, delete, delivery
// log) and a district's API keys for Open311 `POST requests` (list, create, revoke).
import { graphql } from '../../gql';

export const IntWebhookFields = graphql(`
  fragment IntWebhook on Webhook {
    id
    scopeId
    url
    events
    status
    failures
    nextAttemptAt
    lastError
    createdAt
    previousSecretValidUntil
  }
`);

export const IntWebhooksDoc = graphql(`
  query IntWebhooks($scopeId: ID!, $first: Int, $after: String) {
    webhooks(scopeId: $scopeId, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...IntWebhook }
    }
  }
`);

export const IntCreateWebhookDoc = graphql(`
  mutation IntCreateWebhook($scopeId: ID!, $url: String!, $events: [WebhookEvent!]!) {
    createWebhook(scopeId: $scopeId, url: $url, events: $events) { secret webhook { ...IntWebhook } }
  }
`);

export const IntUpdateWebhookDoc = graphql(`
  mutation IntUpdateWebhook($id: ID!, $url: String, $events: [WebhookEvent!]) {
    updateWebhook(id: $id, url: $url, events: $events) { ...IntWebhook }
  }
`);

export const IntRotateWebhookDoc = graphql(`
  mutation IntRotateWebhook($id: ID!) {
    rotateWebhookSecret(id: $id) { secret webhook { ...IntWebhook } }
  }
`);

export const IntResumeWebhookDoc = graphql(`
  mutation IntResumeWebhook($id: ID!) {
    resumeWebhook(id: $id) { ...IntWebhook }
  }
`);

export const IntDeleteWebhookDoc = graphql(`
  mutation IntDeleteWebhook($id: ID!) {
    deleteWebhook(id: $id) { id status }
  }
`);

export const IntDeliveriesDoc = graphql(`
  query IntDeliveries($webhookId: ID!, $first: Int, $after: String) {
    webhookDeliveries(webhookId: $webhookId, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { eventId eventType attempt ok statusCode error durationMs at }
    }
  }
`);

export const IntApiKeysDoc = graphql(`
  query IntApiKeys($districtId: ID!, $first: Int, $after: String) {
    apiKeys(districtId: $districtId, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id name scopes hint createdAt lastUsedAt revokedAt }
    }
  }
`);

export const IntCreateApiKeyDoc = graphql(`
  mutation IntCreateApiKey($districtId: ID!, $name: String!, $scopes: [ApiScope!]!) {
    createApiKey(districtId: $districtId, name: $name, scopes: $scopes) { secret key { id name scopes hint createdAt lastUsedAt revokedAt } }
  }
`);

export const IntRevokeApiKeyDoc = graphql(`
  mutation IntRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { id name scopes hint createdAt lastUsedAt revokedAt }
  }
`);
