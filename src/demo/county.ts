/**
 * The demo county as the source article (../shared/seed/) describes 东阿县: every number here that
 * the article states is a fact the generator must reproduce exactly (12 urban communities holding
 * 220 compounds, 吉祥苑社区 with 53 compounds, 23 resident units and 13 grids re-divided from 5,
 * 153 enterprises in the development zone, the new villages and their industries). Everything the
 * article does not state (village names, the other communities' sizes, agencies besides those it
 * names) is invented in the same style.
 */

export const COUNTY = { name: '东阿县', code: '371524', address: '山东省聊城市东阿县' } as const

export interface TownSpec {
  name: string
  code: string
  type: 'town' | 'subdistrict'
  /** Villages (12-digit codes, sequence from 201) besides those named for a merger. */
  villages: number
}

export const TOWNS: readonly TownSpec[] = [
  { name: '铜城街道', code: '371524001', type: 'subdistrict', villages: 8 },
  { name: '新城街道', code: '371524002', type: 'subdistrict', villages: 7 },
  { name: '刘集镇', code: '371524101', type: 'town', villages: 13 },
  { name: '牛角店镇', code: '371524102', type: 'town', villages: 12 },
  { name: '大桥镇', code: '371524103', type: 'town', villages: 14 },
  { name: '高集镇', code: '371524104', type: 'town', villages: 12 },
  { name: '姜楼镇', code: '371524105', type: 'town', villages: 11 },
  { name: '姚寨镇', code: '371524106', type: 'town', villages: 13 },
  { name: '鱼山镇', code: '371524107', type: 'town', villages: 12 },
  { name: '陈集镇', code: '371524108', type: 'town', villages: 12 },
  { name: '油坊镇', code: '371524109', type: 'town', villages: 10 },
]

export interface CommunitySpec {
  town: string
  name: string
  /** 12-digit code: town code + 3-digit sequence (communities 001–099). */
  code: string
  compounds: number
  /** Grids before any re-division. */
  grids: number
  address: string
}

/** Exactly 12 urban communities holding 220 compounds (the article's figures). */
export const COMMUNITIES: readonly CommunitySpec[] = [
  { town: '铜城街道', name: '吉祥苑社区', code: '371524001001', compounds: 53, grids: 5, address: '铜城街道吉祥路88号' },
  { town: '铜城街道', name: '洛神湖社区', code: '371524001002', compounds: 18, grids: 5, address: '铜城街道洛神湖路16号' },
  { town: '铜城街道', name: '阿胶街社区', code: '371524001003', compounds: 17, grids: 5, address: '铜城街道阿胶街120号' },
  { town: '铜城街道', name: '曙光社区', code: '371524001004', compounds: 15, grids: 4, address: '铜城街道曙光街35号' },
  { town: '铜城街道', name: '府前社区', code: '371524001005', compounds: 14, grids: 4, address: '铜城街道府前街9号' },
  { town: '铜城街道', name: '香江社区', code: '371524001006', compounds: 13, grids: 4, address: '铜城街道香江路66号' },
  { town: '铜城街道', name: '东关社区', code: '371524001007', compounds: 12, grids: 3, address: '铜城街道东关街18号' },
  { town: '新城街道', name: '新城社区', code: '371524002001', compounds: 17, grids: 5, address: '新城街道新城路1号' },
  { town: '新城街道', name: '艾山社区', code: '371524002002', compounds: 16, grids: 4, address: '新城街道艾山路52号' },
  { town: '新城街道', name: '滨河社区', code: '371524002003', compounds: 16, grids: 4, address: '新城街道滨河路27号' },
  { town: '新城街道', name: '曹植社区', code: '371524002004', compounds: 15, grids: 4, address: '新城街道曹植路8号' },
  { town: '新城街道', name: '少岱山社区', code: '371524002005', compounds: 14, grids: 4, address: '新城街道少岱山路31号' },
]

export const JIXIANGYUAN = '吉祥苑社区'
export const LUOSHENHU = '洛神湖社区'
/** 吉祥苑社区 optimized its 5 grids into 13 (the article). */
export const JIXIANGYUAN_NEW_GRIDS = 13
export const JIXIANGYUAN_REDIVIDED_ON = '2022-03-01'

/** 23 units located in 吉祥苑社区 (驻区单位) that report to it (双报到). */
export const JIXIANGYUAN_RESIDENT_UNITS: readonly string[] = [
  '国网山东省电力公司东阿县供电公司铜城供电所', '中国工商银行东阿支行', '中国农业银行东阿县支行', '中国建设银行东阿支行', '山东东阿农村商业银行铜城支行',
  '中国移动通信集团山东有限公司东阿分公司', '中国联合网络通信有限公司东阿县分公司', '中国电信股份有限公司东阿分公司', '东阿县自来水有限公司',
  '东阿县华润燃气有限公司', '东阿县热力有限公司', '银座商城东阿店', '东阿县吉祥苑购物广场有限公司', '东阿县阿胶大药房连锁有限公司吉祥苑店',
  '东阿县铜城中医门诊部有限公司', '东阿县吉祥苑幼儿园有限公司', '东阿县新华书店有限公司', '中国人寿保险股份有限公司东阿县支公司',
  '东阿县公共交通有限公司', '东阿县阿胶城酒店有限公司', '东阿县顺达驾驶员培训有限公司', '东阿县康宁养老服务有限公司', '东阿县洁美家政服务有限公司',
]

export interface MergeSpec {
  town: string
  newVillage: string
  /** 12-digit code of the new village (town code + 3xx). */
  code: string
  /** The villages that become its grid villages; the first is the seat. */
  villages: readonly string[]
  effectiveDate: string
  note: string
}

/**
 * Villages merged into new villages through the real restructuring operation (村庄连片振兴,
 * "六联六促"). The unit model has no description field, so each new village's industries are
 * recorded in the note of its restructuring event, which the event detail and lineage show.
 */
export const MERGES: readonly MergeSpec[] = [
  {
    town: '姜楼镇', newVillage: '陈店新村', code: '371524105301',
    villages: ['陈店村', '韩庄村', '后屯村', '李胡村', '东马村'],
    effectiveDate: '2021-03-15',
    note: '六联六促:新村党委整合资源、优势互补,集中培育五项强村富民产业(设施蔬菜、黑毛驴养殖、阿胶原料加工、乡村旅游、农机服务合作社);'
      + '配套建设小学、文化广场、农贸市场、文化活动中心、百姓大舞台;民政、社保等23项高频事项帮办代办。',
  },
  {
    town: '牛角店镇', newVillage: '店子新村', code: '371524102301',
    villages: ['店子村', '黄起元村', '谷官屯村', '尚庄村'],
    effectiveDate: '2021-04-01',
    note: '集聚提升:以黄起元网格草莓种植产业为基础制定新村产业发展规划,共享“产管销”服务,带动其他网格村同步发展,草莓种植规模达2000余亩。',
  },
  {
    town: '鱼山镇', newVillage: '鱼山新村', code: '371524107301',
    villages: ['鱼山村', '前苗村', '后苗村'], effectiveDate: '2021-05-10',
    note: '依托曹植墓、鱼山梵呗文化发展乡村旅游,组建民宿合作社。',
  },
  {
    town: '刘集镇', newVillage: '刘集新村', code: '371524101301',
    villages: ['刘集村', '西王庄村', '小杨屯村'], effectiveDate: '2021-06-01',
    note: '组织联抓、资源联用:统一规划高标准农田,成立土地股份合作社。',
  },
  {
    town: '姚寨镇', newVillage: '姚寨新村', code: '371524106301',
    villages: ['姚寨村', '东赵庄村', '北郝庄村'], effectiveDate: '2021-06-20',
    note: '产业联兴:发展食用菌种植和黑毛驴养殖,统一“产管销”服务。',
  },
]

export const PARK = { name: '东阿经济开发区', address: '东阿县经济开发区阿胶大道1号', enterprises: 153 } as const
export const DONG_E_EJIAO = '山东东阿东方阿胶股份有限公司'

export interface AgencySpec {
  name: string
  /** Under a sub-district (dispatched agency, 派驻机构) instead of the county. */
  under?: string
  /** Its party organization: a committee with branches, a general branch with branches, or one branch. */
  party: { kind: 'committee' | 'general_branch' | 'branch'; name: string; branches?: readonly string[] } | null
  /** Share of the agencies' in-service party members it holds (relative weight). */
  weight: number
  address: string
}

export const ORG_DEPT = '中共东阿县委组织部'
export const APPROVAL_BUREAU = '东阿县行政审批服务局'
export const POLICE = '东阿县公安局'

export const AGENCIES: readonly AgencySpec[] = [
  { name: ORG_DEPT, party: { kind: 'branch', name: '中共东阿县委组织部机关党支部' }, weight: 2, address: '东阿县府前街1号' },
  {
    name: POLICE, weight: 10, address: '东阿县曙光街99号',
    party: { kind: 'committee', name: '中共东阿县公安局委员会', branches: ['机关第一党支部', '机关第二党支部', '治安管理大队党支部', '刑事侦查大队党支部', '交通警察大队党支部'] },
  },
  {
    name: APPROVAL_BUREAU, weight: 4, address: '东阿县为民服务中心',
    party: { kind: 'general_branch', name: '中共东阿县行政审批服务局总支部委员会', branches: ['机关党支部', '“跨域通办”窗口党支部', '企业开办服务党支部'] },
  },
  {
    name: '东阿黄河河务局', weight: 4, address: '东阿县黄河大堤',
    party: { kind: 'general_branch', name: '中共东阿黄河河务局总支部委员会', branches: ['机关党支部', '工程管理党支部', '防汛抢险党支部', '水政监察党支部'] },
  },
  {
    name: '东阿县邮政分公司', weight: 3, address: '东阿县阿胶街56号',
    party: { kind: 'general_branch', name: '中国邮政集团有限公司东阿县分公司党总支', branches: ['机关党支部', '“雷锋邮路”投递党支部', '营业党支部'] },
  },
  { name: '东阿县民政局', party: { kind: 'branch', name: '东阿县民政局机关党支部' }, weight: 2, address: '东阿县府前街12号' },
  { name: '东阿县人力资源和社会保障局', party: { kind: 'branch', name: '东阿县人力资源和社会保障局机关党支部' }, weight: 2, address: '东阿县府前街15号' },
  { name: '东阿县医疗保障局', party: { kind: 'branch', name: '东阿县医疗保障局机关党支部' }, weight: 1, address: '东阿县府前街17号' },
  { name: '东阿县住房和城乡建设局', party: { kind: 'branch', name: '东阿县住房和城乡建设局机关党支部' }, weight: 2, address: '东阿县新城路20号' },
  { name: '东阿县农业农村局', party: { kind: 'branch', name: '东阿县农业农村局机关党支部' }, weight: 2, address: '东阿县新城路22号' },
  { name: '东阿县市场监督管理局', party: { kind: 'branch', name: '东阿县市场监督管理局机关党支部' }, weight: 2, address: '东阿县新城路26号' },
  { name: '东阿县卫生健康局', party: { kind: 'branch', name: '东阿县卫生健康局机关党支部' }, weight: 2, address: '东阿县府前街20号' },
  { name: '东阿县退役军人事务局', party: { kind: 'branch', name: '东阿县退役军人事务局机关党支部' }, weight: 1, address: '东阿县府前街23号' },
  { name: '东阿县综合行政执法局', party: { kind: 'branch', name: '东阿县综合行政执法局机关党支部' }, weight: 2, address: '东阿县曙光街40号' },
  { name: '东阿县教育和体育局', party: { kind: 'branch', name: '东阿县教育和体育局机关党支部' }, weight: 2, address: '东阿县香江路8号' },
  { name: '东阿县公安局铜城派出所', under: '铜城街道', party: { kind: 'branch', name: '东阿县公安局铜城派出所党支部' }, weight: 1, address: '铜城街道阿胶街77号' },
  { name: '东阿县公安局新城派出所', under: '新城街道', party: { kind: 'branch', name: '东阿县公安局新城派出所党支部' }, weight: 1, address: '新城街道新城路60号' },
  { name: '东阿县市场监督管理局铜城市场监管所', under: '铜城街道', party: null, weight: 0, address: '铜城街道府前街30号' },
]

export interface PropertyCompanySpec {
  name: string
  under: string
  /** Communities whose compounds it mostly serves. */
  serves: readonly string[]
}

/** Property companies (物业企业); the sub-district property management offices evaluate them every half year. */
export const PROPERTY_COMPANIES: readonly PropertyCompanySpec[] = [
  { name: '东阿县红管家物业服务有限公司', under: '铜城街道', serves: ['吉祥苑社区', '府前社区'] },
  { name: '东阿县阿胶城物业管理有限公司', under: '铜城街道', serves: ['阿胶街社区', '吉祥苑社区'] },
  { name: '山东洛神湖物业管理有限公司', under: '铜城街道', serves: ['洛神湖社区', '香江社区'] },
  { name: '东阿县金桥物业服务有限公司', under: '铜城街道', serves: ['曙光社区', '东关社区', '吉祥苑社区'] },
  { name: '东阿县安居物业管理有限公司', under: '铜城街道', serves: ['东关社区', '香江社区', '吉祥苑社区'] },
  { name: '东阿县鑫源物业服务有限公司', under: '新城街道', serves: ['新城社区', '艾山社区'] },
  { name: '聊城市万家物业服务有限公司东阿分公司', under: '新城街道', serves: ['滨河社区', '曹植社区'] },
  { name: '东阿县宏达物业管理有限公司', under: '新城街道', serves: ['少岱山社区', '滨河社区', '艾山社区'] },
]

/** Specialties of the party representatives' studios (党代表专业工作室), one per community. */
export const STUDIO_SPECIALTIES: readonly string[] = [
  '法律服务', '医疗健康', '物业协调', '养老助老', '就业创业', '矛盾调解', '教育关爱', '政策咨询', '退役军人服务', '文明实践', '安全生产', '社会救助',
]

export interface DemoAccountSpec {
  username: string
  role: string
  displayName: string
  /** Where the grant sits, described for people: 东阿县, 铜城街道 … */
  where: string
  whereEn: string
}
