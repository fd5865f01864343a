"""Words the generators build names, subjects and places from: a mix of Chinese and English data,
like the workspaces Orchard serves."""

SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林")
GIVEN_NAMES = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
               "晓燕", "志强", "建华", "海燕", "思远", "雨桐")
FIRST_NAMES = ("Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Chloe", "Leo", "Grace", "Ryan",
               "Hannah", "Daniel", "Zoe", "Kevin", "Amy", "Jason")
LAST_NAMES = ("Chen", "Wong", "Smith", "Lee", "Tan", "Lim", "Garcia", "Brown", "Ng", "Ho", "Martin", "Kim")
TITLES = ("采购经理", "总经理", "市场总监", "店长", "Buyer", "Operations Manager", "CFO", "Founder", "IT Lead",
          "行政主管", None, None)
CITIES = ("上海", "北京", "深圳", "广州", "杭州", "成都", "苏州", "南京", "武汉", "香港", "台北", "Singapore")
INDUSTRIES = ("零售", "餐饮", "制造", "教育", "医疗", "物流", "Software", "Hospitality", "Finance", "Beauty")
COMPANY_WORDS = ("华", "盛", "达", "信", "隆", "鑫", "恒", "泰", "安", "源", "Blue", "Summit", "Harbor", "Pine")
COMPANY_SUFFIXES = ("科技有限公司", "贸易有限公司", "餐饮管理公司", "Trading Ltd", "Foods Co.", "Studio")
TAGS = ("vip", "wholesale", "新客", "老客户", "展会", "referral", "key-account")
PRODUCTS = ("绿茶礼盒", "咖啡豆 1kg", "Wireless earbuds", "Yoga mat", "Skincare set", "Office chair",
            "Rice cooker", "Tea set", "Running shoes", "会员年卡")
ACTIVITY_SUBJECTS = {
    "call": ("回访电话", "Follow-up call", "Intro call", "续约沟通"),
    "email": ("Quote sent", "发送报价单", "Newsletter reply", "Invoice question"),
    "meeting": ("Product demo", "到店拜访", "Quarterly review", "签约会议"),
    "note": ("Prefers WeChat", "对价格敏感", "Asked about delivery times", "Birthday next month"),
    "task": ("Send samples", "准备合同", "Call back next week", "Update address"),
}
