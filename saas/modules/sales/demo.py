"""Demo data for `saas demo`: two pipelines, ~150 deals spread over stages and months with
Chinese and English company names, leads with assignment rules, tasks and monthly targets."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from saas.plugin_api import create_record, db, declare_custom_field, member_choices, pipelines
from saas.modules.sales import leads as lead_service
from saas.modules.sales.forecast import add_months, month_start, set_targets
from saas.modules.sales.tasks import add_task

COMPANIES = [
    "华为技术有限公司", "杭州绿源茶业", "上海东方物流", "深圳未来电子", "成都天府餐饮集团", "北京博雅教育",
    "广州岭南医疗器械", "苏州精工制造", "南京金陵软件", "武汉长江食品", "台北晨光文创", "香港海港贸易",
    "Northwind Traders", "Contoso Retail", "Fabrikam Manufacturing", "Globex Logistics", "Initech Software",
    "Umbrella Health", "Blue Harbor Foods", "Summit Education", "Pacific Rim Finance", "Maple Leaf Imports",
]
PEOPLE = ["王伟", "李娜", "张磊", "刘洋", "陈静", "杨帆", "赵敏", "黄强", "周婷", "吴昊",
          "Emily Carter", "James Wilson", "Sophie Martin", "Daniel Kim", "Olivia Brown", "Lucas Rossi"]
PRODUCTS = ["年度服务合同", "门店POS系统", "会员积分平台", "CRM subscription", "Loyalty program rollout",
            "仓储管理系统", "Annual support renewal", "渠道分销方案", "Data migration project", "培训服务包"]
REGIONS = ["华东", "华南", "华北", "西南", "Overseas"]
L = pipelines.L
KEY_ACCOUNTS = L("Key accounts", "大客户", "大客戶")
KEY_ACCOUNT_STAGES = (
    (L("First meeting", "初次拜访", "初次拜訪"), 5, "open"),
    (L("Solution design", "方案设计", "方案設計"), 20, "open"),
    (L("Pilot", "试点", "試點"), 40, "open"),
    (L("Procurement", "采购流程", "採購流程"), 70, "open"),
    (L("Contract signed", "签约", "簽約"), 100, "won"),
    (L("Lost", "输单", "輸單"), 0, "lost"),
)


def _pick_stage(rng, stages: list, close_on: date, today: date):
    """Past deals are mostly closed; future ones mostly open, later ones in earlier stages."""
    open_stages = [s for s in stages if s.outcome == "open"]
    won = [s for s in stages if s.outcome == "won"]
    lost = [s for s in stages if s.outcome == "lost"]
    if close_on < today - timedelta(days=20):
        return rng.choice(won * 3 + lost * 2 + open_stages[-1:])
    return rng.choice(open_stages * 4 + won + lost)


def fill(workspace, rng) -> None:
    """Add the sales demo data to the workspace in context."""
    today = date.today()
    members = [user_id for user_id, _name in member_choices()]
    default = pipelines.ensure_default_pipeline("deal")
    key_accounts = pipelines.create_pipeline("deal", KEY_ACCOUNTS, KEY_ACCOUNT_STAGES)
    companies = [create_record("company", {"name": name}, user_id=rng.choice(members)) for name in COMPANIES]
    contacts = []
    for index, person in enumerate(PEOPLE * 2):
        company = companies[index % len(companies)]
        contacts.append(create_record("contact", {"name": person if index < len(PEOPLE) else f"{person} ({company.name[:4]})",
                                                  "email": f"contact{index}@example.com", "company": company.id},
                                      user_id=rng.choice(members)))
    deals = []
    for index in range(150):
        pipeline = default if index % 4 else key_accounts
        stages = list(pipeline.stages)
        close_on = today + timedelta(days=rng.randint(-180, 180))
        stage = _pick_stage(rng, stages, close_on, today)
        company = rng.choice(companies)
        currency = "CNY" if index % 7 else "USD"
        amount = Decimal(rng.choice([8, 12, 18, 25, 40, 60, 90, 150, 240])) * 1000 * (5 if pipeline is key_accounts else 1)
        data = {"name": f"{company.name} · {rng.choice(PRODUCTS)}", "amount": str(amount), "currency": currency,
                "expected_close_on": close_on.isoformat(), "stage": stage.id, "company": company.id,
                "owner": rng.choice(members)}
        if stage.outcome == "lost":
            data["lost_reason"] = rng.choice(["价格太高", "选择了竞争对手", "Budget frozen", "项目延期", "No decision"])
        deal = create_record("deal", data, user_id=data["owner"])
        if stage.outcome != "open":
            deal.closed_on = min(close_on, today)
        deals.append(deal)
    db.session.flush()
    from saas.modules.sales.deals import add_contact

    for deal in deals:
        company_contacts = [c for c in contacts if c.company_id == deal.company_id]
        for contact in company_contacts[:2]:
            add_contact(deal, contact.id)
    for deal in rng.sample(deals, 12):
        add_task(deal, rng.choice(["回访客户", "发送报价单", "Send the revised proposal", "安排产品演示", "Call the buyer"]),
                 (today + timedelta(days=rng.randint(-3, 10))).isoformat(), deal.owner_id, deal.owner_id)
    # Leads get their owner from the rules, as in daily use: by region first, then in turn.
    declare_custom_field("lead", "region", "single_select", {"en": "Region", "zh_Hans": "区域", "zh_Hant": "區域"},
                         options=REGIONS)
    if len(members) >= 2:
        lead_service.save_rule(None, name="华东 → " + str(members[1]), kind="field", field_key="region",
                               mapping={"华东": members[1]})
    lead_service.save_rule(None, name="Round robin", kind="round_robin", user_ids=members)
    sources = ["website", "referral", "event", "advertising", "cold_call"]
    for index in range(40):
        person = PEOPLE[index % len(PEOPLE)]
        create_record("lead", {"name": f"{person} {index + 1}", "company_name": rng.choice(COMPANIES + [None]),
                               "email": f"lead{index}@example.com", "source": rng.choice(sources),
                               "status": rng.choice(["new", "new", "contacted", "qualified"]),
                               "region": rng.choice(REGIONS)})
    first = month_start(today)
    for currency, base in (("CNY", 400_000), ("USD", 60_000)):
        set_targets(currency, {add_months(first, i): str(base + 25_000 * (i % 4)) for i in range(-6, 12)})
    db.session.flush()
