import type { ContentItemInput } from "../item.ts";

/**
 * A small store of items as the server would hand them over: invented for the examples and tests
 * (no internet), written to read like the prototype's followed sources. Figures in them are
 * fictitious. Two are deliberate duplicates: `cbi-embedded-finance-syndicated` is a syndicated
 * copy of `cbi-embedded-finance`, and `hbr-ai-governance-tracking` is the same article under a
 * tracking URL.
 */
export const EXAMPLE_AS_OF = "2026-12-01T12:00:00Z";

const src = {
  frr: {
    sourceId: "first-round-review",
    sourceName: "First Round Review",
    domains: ["product", "tech", "leadership"],
    credibility: 0.95,
  },
  str: {
    sourceId: "stratechery",
    sourceName: "Stratechery",
    domains: ["tech", "strategy", "business"],
    credibility: 0.95,
  },
  cbi: {
    sourceId: "cb-insights",
    sourceName: "CB Insights",
    domains: ["tech", "finance", "startups"],
    credibility: 0.85,
  },
  hbr: {
    sourceId: "harvard-business-review",
    sourceName: "Harvard Business Review",
    domains: ["business", "leadership", "strategy"],
    credibility: 0.8,
  },
  mck: {
    sourceId: "mckinsey-insights",
    sourceName: "McKinsey Insights",
    domains: ["strategy", "business", "tech"],
    credibility: 0.8,
  },
  dis: {
    sourceId: "the-dispatch",
    sourceName: "The Dispatch",
    domains: ["politics", "policy"],
    credibility: 0.8,
  },
  ph: {
    sourceId: "product-hunt-daily",
    sourceName: "Product Hunt Daily",
    domains: ["product", "tech", "startups"],
    credibility: 0.7,
  },
  hn: { sourceId: "hacker-news", sourceName: "Hacker News", domains: ["tech"], credibility: 0.6 },
};

export const EXAMPLE_ITEMS: ContentItemInput[] = [
  {
    id: "cbi-fintech-funding-q3",
    ...src.cbi,
    title: "State of Fintech Q3'26: funding steadies as AI lenders pull ahead",
    url: "https://www.cbinsights.com/research/report/fintech-trends-q3-2026/",
    publishedAt: "2026-11-28T09:00:00Z",
    text:
      "Global fintech funding reached $9.8 billion in Q3 2026, up 6% quarter over quarter but still 41% below the 2021 peak. " +
      "AI-first lenders raised 31% of all fintech dollars, compared with 12% a year earlier. " +
      "Deal count fell to 712, the lowest since 2017, as investors concentrated on fewer, larger rounds. " +
      "Regulation remains the top risk cited by fintech founders in our survey of 420 companies.",
  },
  {
    id: "cbi-embedded-finance",
    ...src.cbi,
    title: "Embedded finance is eating product roadmaps",
    url: "https://www.cbinsights.com/research/embedded-finance-product-roadmaps/",
    publishedAt: "2026-11-25T14:00:00Z",
    text:
      "Software companies that add payments and lending to their products are growing revenue per customer 2.3x faster than peers. " +
      "Vertical SaaS platforms now process 18% of small-business card payments in the US. " +
      "Product teams, not finance teams, increasingly own the decision to embed financial services. " +
      "The catch is compliance: every embedded lender inherits the regulation of its bank partner.",
  },
  {
    id: "cbi-embedded-finance-syndicated",
    ...src.hn,
    title: "Embedded finance is eating product roadmaps (cbinsights.com)",
    url: "https://news.ycombinator.com/item?id=42424242",
    canonicalUrl: "https://syndication.example.net/cbi/embedded-finance",
    publishedAt: "2026-11-26T08:00:00Z",
    text:
      "Software companies that add payments and lending to their products are growing revenue per customer 2.3x faster than peers. " +
      "Vertical SaaS platforms now process 18% of small-business card payments in the US. " +
      "Product teams, not finance teams, increasingly own the decision to embed financial services. " +
      "The catch is compliance: every embedded lender inherits the regulation of its bank partner. Discussion on HN.",
  },
  {
    id: "str-ai-regulation-aggregators",
    ...src.str,
    title: "AI regulation and the aggregators",
    url: "https://stratechery.com/2026/ai-regulation-and-the-aggregators/",
    publishedAt: "2026-11-30T11:00:00Z",
    text:
      "The most important effect of AI regulation may be who it protects rather than what it prevents. " +
      "Compliance costs are fixed costs, and fixed costs favour the largest platforms. " +
      "The EU AI Act's obligations for general-purpose models take full effect in August 2026, and the largest labs have already staffed for them. " +
      "However, startups building on open models face the same paperwork with a fraction of the headcount.",
  },
  {
    id: "str-payments-platform-strategy",
    ...src.str,
    title: "Payments as platform strategy",
    url: "https://stratechery.com/2026/payments-as-platform-strategy/",
    publishedAt: "2026-11-18T11:00:00Z",
    text:
      "Every large consumer platform eventually becomes a payments company, because payments data is the best signal of intent. " +
      "Apple, Shopify and Uber all moved from facilitating transactions to financing them. " +
      "The strategic question for product leaders is whether to own the ledger or rent it from a bank partner.",
  },
  {
    id: "frr-compliance-product",
    ...src.frr,
    title: "Compliance as a product feature: lessons from fintech product leaders",
    url: "https://review.firstround.com/compliance-as-a-product-feature/",
    publishedAt: "2026-11-27T16:00:00Z",
    text:
      "The best fintech product teams treat compliance as a product feature, not a tax. " +
      '"Compliance is now a product feature, and the teams that design for it ship faster," says one head of product at a lending startup. ' +
      "Her team cut onboarding drop-off from 38% to 22% by redesigning identity checks with the compliance lead in the room. " +
      "When regulators changed the rules in March 2026, the team shipped the update in 9 days.",
  },
  {
    id: "frr-ai-product-strategy",
    ...src.frr,
    title: "How product leaders are rewriting strategy for AI",
    url: "https://review.firstround.com/rewriting-product-strategy-for-ai/",
    publishedAt: "2026-11-20T16:00:00Z",
    text:
      "Product strategy used to start with the user problem; with AI it starts with what the model can reliably do. " +
      "Of the 60 product leaders we interviewed, most said their roadmap horizon shrank from a year to a quarter. " +
      "The durable advantage is proprietary workflow data, not the model itself.",
  },
  {
    id: "hbr-ai-governance",
    ...src.hbr,
    title: "Your AI governance is a growth strategy",
    url: "https://hbr.org/2026/11/your-ai-governance-is-a-growth-strategy",
    publishedAt: "2026-11-24T13:00:00Z",
    text:
      "Companies with mature AI governance launch AI products faster, not slower. " +
      "In a study of 300 firms, those with a named AI risk owner moved pilots to production in 5 months on average, against 11 months for the rest. " +
      "But governance that lives only in legal reviews becomes a bottleneck.",
  },
  {
    id: "hbr-ai-governance-tracking",
    ...src.hbr,
    title: "Your AI governance is a growth strategy",
    url: "https://hbr.org/2026/11/your-ai-governance-is-a-growth-strategy?utm_source=linkedin&utm_medium=social",
    publishedAt: "2026-11-24T13:00:00Z",
    text:
      "Companies with mature AI governance launch AI products faster, not slower. " +
      "In a study of 300 firms, those with a named AI risk owner moved pilots to production in 5 months on average, against 11 months for the rest.",
  },
  {
    id: "mck-genai-banking",
    ...src.mck,
    title: "The state of generative AI in banking",
    url: "https://www.mckinsey.com/industries/financial-services/our-insights/the-state-of-gen-ai-in-banking-2026",
    publishedAt: "2026-11-14T10:00:00Z",
    text:
      "Generative AI could add $200 billion to $340 billion in value annually across global banking, mostly through productivity. " +
      "Only 8% of banks have scaled more than three use cases. " +
      "Banks that scaled fastest paired a central platform team with business-unit ownership of outcomes.",
  },
  {
    id: "mck-digital-trust",
    ...src.mck,
    title: "Why digital trust is a strategy question",
    url: "https://www.mckinsey.com/capabilities/risk-and-resilience/our-insights/digital-trust-strategy",
    publishedAt: "2026-10-29T10:00:00Z",
    text:
      "Consumers increasingly choose digital products by how much they trust them with data. " +
      "Companies that lead on digital trust are 1.6x more likely to see revenue growth of at least 10% a year. " +
      "Trust is built in the product, through defaults and controls users can see.",
  },
  {
    id: "dis-ai-policy-states",
    ...src.dis,
    title: "The states are writing America's AI policy",
    url: "https://thedispatch.com/article/states-writing-ai-policy/",
    publishedAt: "2026-11-29T12:00:00Z",
    text:
      "With Congress stalled, state legislatures introduced more than 700 AI bills in 2026. " +
      "Colorado's law on high-risk AI systems, the first of its kind, now applies to lenders and insurers. " +
      "Critics warn that a patchwork of state rules raises compliance costs for small firms more than for large ones. " +
      "Yet supporters argue that states are the only place where policy is moving at all.",
  },
  {
    id: "dis-cfpb-open-banking",
    ...src.dis,
    title: "Open banking rules survive, with changes",
    url: "https://thedispatch.com/article/open-banking-rules-survive/",
    publishedAt: "2026-11-10T12:00:00Z",
    text:
      "The consumer finance regulator finalized a revised open banking rule that gives banks until 2028 to comply. " +
      "Fintech firms had lobbied for faster access to customer data, while banks sought to charge for it. " +
      "The compromise lets banks recover costs but bans fees for consumers.",
  },
  {
    id: "ph-compliance-copilot",
    ...src.ph,
    title: "Launch: a compliance copilot for fintech product teams",
    url: "https://www.producthunt.com/products/compliance-copilot",
    publishedAt: "2026-11-30T07:00:00Z",
    text:
      "A new tool drafts regulatory change summaries for product managers at fintech startups. " +
      "It maps each new rule to the product features it touches. " +
      "The makers say beta customers cut the time to assess a rule change from two weeks to two days.",
  },
  {
    id: "ph-ai-budgeting-app",
    ...src.ph,
    title: "Launch: an AI budgeting app for freelancers",
    url: "https://www.producthunt.com/products/ai-budget-freelance",
    publishedAt: "2026-11-22T07:00:00Z",
    text:
      "An AI budgeting app for freelancers categorizes income from 40 payment platforms automatically. " +
      "It is free for up to 3 accounts. " +
      "The makers plan to add tax estimates next year.",
  },
  {
    id: "hn-llm-eval",
    ...src.hn,
    title: "Ask HN: How do you evaluate LLM features in production?",
    url: "https://news.ycombinator.com/item?id=42400001",
    publishedAt: "2026-11-30T20:00:00Z",
    text:
      "Most teams in the thread rely on a golden set of a few hundred examples and a human review queue. " +
      "Several engineers said offline evaluation scores rarely predicted what users actually did. " +
      "The consensus: ship behind a flag, log everything, and compare against the old workflow.",
  },
  {
    id: "hn-stablecoin-payments",
    ...src.hn,
    title: "Stablecoin payment volumes overtake a major card network",
    url: "https://news.ycombinator.com/item?id=42399876",
    publishedAt: "2026-11-19T18:00:00Z",
    text:
      "Stablecoin settlement volume passed $1.2 trillion in a single quarter, according to on-chain data. " +
      "Commenters disputed how much of it is real payments rather than trading. " +
      "Blockchain skeptics noted that most volume still comes from a handful of exchanges.",
  },
  {
    id: "str-old-platform-essay",
    ...src.str,
    title: "Aggregation theory, revisited",
    url: "https://stratechery.com/2025/aggregation-theory-revisited/",
    publishedAt: "2025-06-01T11:00:00Z",
    text:
      "Aggregators win by owning the user relationship and commoditizing suppliers. " +
      "Digital distribution made this possible, and AI may make it stronger. " +
      "Regulation is the one force that has ever slowed an aggregator down.",
  },
  {
    id: "hbr-remote-teams",
    ...src.hbr,
    title: "What makes hybrid teams work",
    url: "https://hbr.org/2026/11/what-makes-hybrid-teams-work",
    publishedAt: "2026-11-26T13:00:00Z",
    text:
      "Hybrid teams perform best when they agree on which work happens together. " +
      "Managers who set two shared office days reported higher trust than those who left it to individuals. " +
      "The rest is clear documentation and fewer, better meetings.",
  },
  {
    id: "frr-pricing-growth",
    ...src.frr,
    title: "The pricing page is a growth lever most startups ignore",
    url: "https://review.firstround.com/pricing-page-growth-lever/",
    publishedAt: "2026-11-12T16:00:00Z",
    text:
      "Founders revisit pricing far less often than they revisit onboarding, though pricing moves revenue more. " +
      "One B2B startup raised average contract value by 27% by adding a usage-based tier. " +
      "The lesson: treat pricing as a product, with an owner and a roadmap.",
  },
];

export const EXAMPLE_TOPICS = [
  "AI regulation impact on fintech product strategy",
  "Contrarian analysis of AI productivity claims and investment hype",
  "Technology platform strategy in regulated environments",
] as const;
