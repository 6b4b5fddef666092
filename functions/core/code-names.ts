/**
 * The zh and en name of every code a person may see: record types, statuses, severities, areas,
 * complaint categories, contract clauses, decisions, channels, access kinds and actions,
 * departments … One table, used by the message renderer (a zh message never shows an English
 * code) and exported for the CSV, the console and the docs. Roles are named in org.yaml (each
 * role's `name`); `roleName` reads them there.
 *
 * zh is written in the traditional characters the policies use. en names are lower case where
 * they are common nouns, so they fit inside a sentence ("the general complaint"); capitalise the
 * first letter for a heading.
 */
// Structural types (not policy/model.ts's, which imports CodeKind from here: no import cycle)
interface Bilingual {
  readonly zh: string;
  readonly en: string;
}
/** What naming a role needs of the org directory. */
interface RoleNames {
  readonly roles: Readonly<Record<string, { readonly name?: Bilingual }>>;
}

export type Lang = keyof Bilingual;

const n = (zh: string, en: string): Bilingual => ({ zh, en });

export const CODE_NAMES = {
  recordType: {
    expense: n("費用", "expense"),
    quote: n("報價", "quote"),
    contract: n("合同", "contract"),
    complaint: n("投訴", "complaint"),
    access: n("資料訪問", "access to information"),
  },
  violationStatus: {
    open: n("待處理", "open"),
    acknowledged: n("已確認", "acknowledged"),
    waived: n("已豁免", "waived"),
    resolved: n("已解決", "resolved"),
  },
  severity: {
    low: n("低", "low"),
    medium: n("中", "medium"),
    high: n("高", "high"),
    critical: n("嚴重", "critical"),
  },
  area: {
    "approval-limits": n("審批權限", "approval limits"),
    "confidentiality-access": n("保密信息的訪問", "access to confidential information"),
    "contract-clauses": n("合同條款與簽訂", "contract clauses and signing"),
    "complaint-response": n("投訴處理時限", "complaint response times"),
  },
  complaintCategory: {
    general: n("一般", "general"),
    service: n("服務", "service"),
    quality: n("品質", "quality"),
    legal: n("法律", "legal"),
    media: n("媒體", "media"),
  },
  channel: {
    phone: n("電話", "phone"),
    email: n("電子郵件", "email"),
    online: n("網上", "online"),
    visit: n("到訪", "visit"),
  },
  clause: {
    "rights-obligations": n("雙方權利義務", "rights and obligations"),
    "product-spec": n("產品規格", "product specification"),
    quantity: n("數量", "quantity"),
    price: n("價格", "price"),
    "delivery-date": n("交貨日期", "delivery date"),
    "payment-terms": n("付款條件", "payment terms"),
    "default-liability": n("違約責任", "default liability"),
    guarantee: n("擔保", "guarantee"),
  },
  decision: {
    approved: n("批准", "approved"),
    rejected: n("駁回", "rejected"),
  },
  expenseStatus: {
    draft: n("草稿", "draft"),
    submitted: n("已提交", "submitted"),
    approved: n("已批准", "approved"),
    rejected: n("已駁回", "rejected"),
    reimbursed: n("已報銷", "reimbursed"),
  },
  quoteStatus: {
    draft: n("草稿", "draft"),
    reviewed: n("已審核", "reviewed"),
    sent: n("已發出", "sent"),
    accepted: n("已接受", "accepted"),
    rejected: n("已拒絕", "rejected"),
  },
  approvalStep: {
    "department-review": n("部門審核", "department review"),
    "finance-review": n("財務審核", "finance review"),
    "leadership-approval": n("領導審批", "leadership approval"),
    "budget-adjustment": n("預算調整", "budget adjustment"),
  },
  changeKind: {
    amendment: n("變更", "amendment"),
    termination: n("解除", "termination"),
  },
  resourceKind: {
    "customer-info": n("客戶信息", "customer information"),
    "trade-secret": n("商業秘密", "trade secrets"),
    "market-research": n("市場調研資料", "market research"),
    public: n("公開資料", "public information"),
  },
  accessAction: {
    read: n("查閱", "read"),
    export: n("匯出", "export"),
    print: n("打印", "print"),
    "share-external": n("對外提供", "share externally"),
  },
  /** Departments the policies and examples name; another department shows as its code. */
  department: {
    marketing: n("市場部", "marketing"),
    sales: n("銷售部", "sales"),
    "customer-service": n("客服部", "customer service"),
    "after-sales": n("售後服務部", "after-sales service"),
    "market-research": n("市場調研部", "market research"),
    finance: n("財務部", "finance"),
    production: n("生產部", "production"),
    legal: n("法務部", "legal"),
    quality: n("品質部", "quality"),
  },
} as const satisfies Record<string, Record<string, Bilingual>>;

/** A kind of code: a key of CODE_NAMES, or `role` (named in org.yaml). */
export type CodeKind = keyof typeof CODE_NAMES | "role";

/** A role's name from org.yaml; the role id when it has none. */
export function roleName(org: RoleNames | undefined, role: string, lang: Lang): string {
  return org?.roles[role]?.name?.[lang] ?? role;
}

/**
 * The name of a code in a language; the code itself when the table does not know it. A code
 * followed by a detail ("amendment 2026-03-01T08:00:00.000Z") keeps the detail after the name.
 */
export function codeName(kind: CodeKind, code: string, lang: Lang, org?: RoleNames): string {
  if (kind === "role") return roleName(org, code, lang);
  const table = CODE_NAMES[kind] as Readonly<Record<string, Bilingual>>;
  if (Object.hasOwn(table, code)) return (table[code] as Bilingual)[lang];
  const space = code.indexOf(" ");
  const head = space > 0 ? code.slice(0, space) : "";
  return head && Object.hasOwn(table, head)
    ? `${(table[head] as Bilingual)[lang]}${code.slice(space)}`
    : code;
}

/**
 * Which record fields hold which kind of code (paths as written after `$.`, list items as `[]`),
 * so a message placeholder such as `{category}` or `{data.legalReview.decision}` shows a name.
 */
const FIELD_CODES: Readonly<Record<string, Readonly<Record<string, CodeKind>>>> = {
  expense: {
    department: "department",
    status: "expenseStatus",
    "approvals[].step": "approvalStep",
    "approvals[].role": "role",
    "approvals[].decision": "decision",
    "budgetAdjustment.approvals[].role": "role",
  },
  quote: {
    department: "department",
    status: "quoteStatus",
    "reviews[].role": "role",
    "reviews[].decision": "decision",
    "approvals[].role": "role",
  },
  contract: {
    department: "department",
    clauses: "clause",
    "clauses[]": "clause",
    "legalReview.decision": "decision",
    "copiesSentTo[].department": "department",
    "changes[].kind": "changeKind",
    "changes[].approvals[].role": "role",
  },
  complaint: {
    department: "department",
    channel: "channel",
    category: "complaintCategory",
    "assignedTo.role": "role",
    "escalations[].to": "role",
  },
  access: {
    department: "department",
    "actor.roles": "role",
    "actor.roles[]": "role",
    "resource.kind": "resourceKind",
    action: "accessAction",
    "authorization.kinds": "resourceKind",
    "authorization.actions": "accessAction",
    "disclosureApproval.role": "role",
  },
};

/** The kind of code a record field holds (`$.approvals[0].step`, `approvals.0.step` …), if any. */
export function fieldCodeKind(recordType: string, path: string): CodeKind | undefined {
  const key = path
    .replace(/^\$\.?/, "")
    .replace(/\[\d+\]/g, "[]")
    .replace(/\.(\d+)(?=\.|$)/g, "[]");
  return FIELD_CODES[recordType]?.[key];
}
