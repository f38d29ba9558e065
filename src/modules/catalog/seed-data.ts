import type { OwnerUnitType, Priority } from './priorities.js'

/**
 * Demo catalog of the county in the source article (东阿县): the 23 high-frequency matters the
 * new villages handle on villagers' behalf (帮办代办), 洛神湖社区's elderly-care menu
 * (爱老助老服务清单), the 154 matters of the Yellow River basin cross-region alliance
 * (黄河流域政务服务"跨域通办"联盟) handled by the 行政审批服务局, and everyday community matters.
 * Names follow the national 跨省通办 list and provincial service catalogs; fees are illustrative.
 */

export interface SeedCategory {
  code: string
  name: string
  parent?: string
}

export const seedCategories: SeedCategory[] = [
  { code: 'civil-affairs', name: '民政服务' },
  { code: 'social-assistance', name: '社会救助', parent: 'civil-affairs' },
  { code: 'elderly-services', name: '养老与优待', parent: 'civil-affairs' },
  { code: 'disability', name: '残疾人服务', parent: 'civil-affairs' },
  { code: 'marriage-funeral', name: '婚姻与殡葬', parent: 'civil-affairs' },
  { code: 'social-insurance', name: '社会保险' },
  { code: 'pension', name: '养老保险', parent: 'social-insurance' },
  { code: 'employment', name: '就业与失业', parent: 'social-insurance' },
  { code: 'ss-card', name: '社会保障卡', parent: 'social-insurance' },
  { code: 'medical-insurance', name: '医疗保障' },
  { code: 'household', name: '户籍与证件' },
  { code: 'health', name: '卫生健康' },
  { code: 'agriculture', name: '农业农村' },
  { code: 'veterans', name: '退役军人' },
  { code: 'elderly-care', name: '爱老助老' },
  { code: 'daily-care', name: '生活照料', parent: 'elderly-care' },
  { code: 'medical-care', name: '医疗护理', parent: 'elderly-care' },
  { code: 'companionship', name: '精神关爱', parent: 'elderly-care' },
  { code: 'emergency-aid', name: '应急救助', parent: 'elderly-care' },
  { code: 'property-repair', name: '物业维修' },
  { code: 'utilities', name: '水电气暖', parent: 'property-repair' },
  { code: 'facilities', name: '公共设施', parent: 'property-repair' },
  { code: 'sanitation', name: '环境卫生' },
  { code: 'disputes', name: '矛盾纠纷' },
  { code: 'safety', name: '安全隐患' },
  { code: 'public-order', name: '市容秩序' },
  { code: 'consultation', name: '咨询建议' },
  { code: 'enterprise', name: '企业服务' },
  { code: 'market-registration', name: '市场主体登记', parent: 'enterprise' },
  { code: 'business-permits', name: '经营许可', parent: 'enterprise' },
  { code: 'tax', name: '税务服务', parent: 'enterprise' },
  { code: 'housing-fund', name: '住房公积金' },
  { code: 'real-estate', name: '不动产登记' },
  { code: 'traffic', name: '交通出行' },
  { code: 'education', name: '教育' },
  { code: 'legal', name: '法律服务' },
  { code: 'construction', name: '建设与水务' },
]

export interface SeedItem {
  name: string
  category: string
  owner: OwnerUnitType
  priority: Priority
  materials: string[]
  description?: string
  feeNote?: string
  anonymousAllowed?: boolean
}

const idCard = '申请人居民身份证'
const hukou = '居民户口簿'

/** 陈店新村 and the other new villages handle these 23 matters on villagers' behalf (帮办代办). */
export const proxyItems: SeedItem[] = [
  { name: '高龄津贴申领', category: 'elderly-services', owner: 'community', priority: 'general', materials: [idCard, hukou, '本人银行账户(社会保障卡)'], description: '80 周岁以上老年人按月享受高龄津贴,村(社区)受理后报乡镇(街道)审核。' },
  { name: '最低生活保障申请', category: 'social-assistance', owner: 'community', priority: 'complex', materials: [idCard, hukou, '家庭经济状况核对授权书', '家庭成员收入及财产说明'] },
  { name: '特困人员救助供养申请', category: 'social-assistance', owner: 'community', priority: 'complex', materials: [idCard, hukou, '特困人员认定申请书', '残疾或疾病证明(如有)'] },
  { name: '临时救助申请', category: 'social-assistance', owner: 'community', priority: 'urgent', materials: [idCard, '临时救助申请书', '遭遇困难的相关证明'], description: '因火灾、交通事故、突发重病等导致基本生活暂时出现严重困难的家庭,可申请临时救助;情况紧急的先行救助。' },
  { name: '残疾人两项补贴申领', category: 'disability', owner: 'community', priority: 'general', materials: ['第二代残疾人证', idCard, '低保证明(申请生活补贴时)'], description: '困难残疾人生活补贴和重度残疾人护理补贴。' },
  { name: '残疾人证申领', category: 'disability', owner: 'community', priority: 'general', materials: [idCard, hukou, '近期免冠照片', '残疾评定所需病历资料'] },
  { name: '惠民殡葬补贴申领', category: 'marriage-funeral', owner: 'community', priority: 'general', materials: ['死亡证明', '火化证明', '经办人身份证'] },
  { name: '城乡居民养老保险参保登记', category: 'pension', owner: 'community', priority: 'general', materials: [idCard, hukou] },
  { name: '城乡居民养老保险待遇申领', category: 'pension', owner: 'community', priority: 'general', materials: [idCard, hukou, '社会保障卡'] },
  { name: '城乡居民养老保险待遇资格认证', category: 'pension', owner: 'community', priority: 'general', materials: ['社会保障卡', idCard], description: '行动不便的老人可由网格员上门协助完成人脸识别认证。' },
  { name: '社保卡申领与激活', category: 'ss-card', owner: 'community', priority: 'general', materials: [idCard, '近期免冠照片'] },
  { name: '城乡居民医保参保缴费', category: 'medical-insurance', owner: 'community', priority: 'general', materials: [idCard, hukou] },
  { name: '城乡居民大病保险报销', category: 'medical-insurance', owner: 'community', priority: 'complex', materials: ['社会保障卡', '住院发票', '费用明细清单', '出院记录'] },
  { name: '门诊慢特病待遇申请', category: 'medical-insurance', owner: 'community', priority: 'general', materials: ['社会保障卡', '二级以上医院诊断证明', '相关检查报告'] },
  { name: '新生儿落户', category: 'household', owner: 'community', priority: 'general', materials: ['出生医学证明', '父母居民户口簿', '父母身份证', '结婚证'] },
  { name: '居民身份证办理预约', category: 'household', owner: 'community', priority: 'general', materials: [hukou, '原居民身份证(换领时)'], description: '代为预约并陪同到派出所采集指纹和照片。' },
  { name: '户口迁移(县内)', category: 'household', owner: 'community', priority: 'general', materials: [hukou, idCard, '房屋产权证明或亲属关系证明'] },
  { name: '生育服务登记', category: 'health', owner: 'community', priority: 'general', materials: ['夫妻双方身份证', '结婚证'] },
  { name: '农村计划生育家庭奖励扶助申请', category: 'health', owner: 'community', priority: 'complex', materials: [idCard, hukou, '结婚证', '子女情况证明'] },
  { name: '耕地地力保护补贴申领', category: 'agriculture', owner: 'community', priority: 'general', materials: [idCard, '土地承包经营权证', '社会保障卡或惠农一卡通'] },
  { name: '农村宅基地建房申请', category: 'agriculture', owner: 'community', priority: 'complex', materials: [idCard, hukou, '宅基地和建房(规划许可)申请表', '建房设计图'] },
  { name: '就业失业登记', category: 'employment', owner: 'community', priority: 'general', materials: [idCard, '劳动合同或解除劳动关系证明'] },
  { name: '农村危房改造申请', category: 'agriculture', owner: 'community', priority: 'complex', materials: [idCard, hukou, '房屋安全鉴定意见', '家庭困难情况证明'] },
]

/** 洛神湖社区 with an elderly-care home and the volunteers' association (义工协会): 爱老助老服务清单. */
export const elderlyCareItems: SeedItem[] = [
  { name: '助餐服务', category: 'daily-care', owner: 'community', priority: 'general', materials: ['老年人优待证或身份证'], description: '社区老年食堂就餐,行动不便的老人可预约送餐上门。', feeNote: '老年食堂每餐 8 元;80 周岁以上每餐补贴 2 元' },
  { name: '助浴服务', category: 'daily-care', owner: 'community', priority: 'general', materials: [], description: '养老机构护理员上门协助洗浴。', feeNote: '每次 30 元,低保、特困老人免费' },
  { name: '助洁服务', category: 'daily-care', owner: 'community', priority: 'general', materials: [], description: '居家清洁、衣物清洗。', feeNote: '每小时 25 元' },
  { name: '上门理发', category: 'daily-care', owner: 'community', priority: 'general', materials: [], description: '义工协会志愿者每月上门理发。', feeNote: '免费' },
  { name: '代购代办', category: 'daily-care', owner: 'community', priority: 'general', materials: [], description: '代购生活用品、代缴水电气费、代办证照。', feeNote: '免费,物品费用自理' },
  { name: '适老化改造评估', category: 'daily-care', owner: 'community', priority: 'complex', materials: ['老年人身份证', '房屋产权或租赁证明'], description: '扶手、防滑、坐便椅等居家适老化改造的上门评估。' },
  { name: '助医服务', category: 'medical-care', owner: 'community', priority: 'general', materials: ['社会保障卡'], description: '陪同就医、代取药品、预约挂号。' },
  { name: '健康监测与慢病随访', category: 'medical-care', owner: 'community', priority: 'general', materials: [], description: '家庭医生签约团队上门测血压、血糖,慢性病定期随访。', feeNote: '免费' },
  { name: '康复护理指导', category: 'medical-care', owner: 'community', priority: 'general', materials: ['出院记录或诊断证明'] },
  { name: '心理慰藉与聊天陪伴', category: 'companionship', owner: 'community', priority: 'general', materials: [], description: '独居、空巢老人定期探访、电话问候和谈心。', feeNote: '免费' },
  { name: '文化娱乐活动报名', category: 'companionship', owner: 'community', priority: 'general', materials: [], description: '老年大学课程、合唱、书法等活动报名。' },
  { name: '紧急呼叫响应', category: 'emergency-aid', owner: 'community', priority: 'emergency', materials: [], description: '独居老人摔倒、突发不适时一键呼叫,网格员和签约医生就近上门,必要时拨打 120。' },
]

/** Everyday requests from compounds and villages (红管家). */
export const communityItems: SeedItem[] = [
  { name: '水电维修', category: 'utilities', owner: 'property_company', priority: 'general', materials: [], description: '户内外水管、电路、开关插座等维修。' },
  { name: '楼道照明维修', category: 'facilities', owner: 'property_company', priority: 'general', materials: [] },
  { name: '电梯故障', category: 'facilities', owner: 'property_company', priority: 'urgent', materials: [], description: '有人被困请立即拨打电梯内救援电话或 96333。' },
  { name: '下水管道堵塞疏通', category: 'utilities', owner: 'property_company', priority: 'urgent', materials: [] },
  { name: '房屋漏水', category: 'utilities', owner: 'property_company', priority: 'general', materials: [] },
  { name: '小区绿化养护', category: 'facilities', owner: 'property_company', priority: 'general', materials: [] },
  { name: '门禁与监控故障', category: 'facilities', owner: 'property_company', priority: 'general', materials: [] },
  { name: '供暖不热', category: 'utilities', owner: 'property_company', priority: 'urgent', materials: [] },
  { name: '垃圾清运', category: 'sanitation', owner: 'grid', priority: 'general', materials: [] },
  { name: '楼道杂物清理', category: 'sanitation', owner: 'grid', priority: 'general', materials: [], anonymousAllowed: true },
  { name: '噪音扰民', category: 'disputes', owner: 'grid', priority: 'general', materials: [], anonymousAllowed: true },
  { name: '宠物扰民', category: 'disputes', owner: 'grid', priority: 'general', materials: [], anonymousAllowed: true },
  { name: '邻里纠纷调解', category: 'disputes', owner: 'grid', priority: 'complex', materials: [] },
  { name: '家庭矛盾调解', category: 'disputes', owner: 'community', priority: 'complex', materials: [] },
  // A complaint about the property company must not be routed to the property company.
  { name: '物业服务投诉', category: 'consultation', owner: 'community', priority: 'general', materials: [], anonymousAllowed: true, description: '对物业服务质量、收费等的投诉,由社区受理督办并纳入物业服务质量评价。' },
  { name: '私搭乱建', category: 'public-order', owner: 'town', priority: 'complex', materials: [], anonymousAllowed: true, description: '由街道综合执法处理(下放街道的行政处罚权)。' },
  { name: '占道停车与乱停放', category: 'public-order', owner: 'grid', priority: 'general', materials: [], anonymousAllowed: true },
  { name: '路灯损坏', category: 'public-order', owner: 'town', priority: 'general', materials: [] },
  { name: '燃气泄漏', category: 'safety', owner: 'community', priority: 'emergency', materials: [], description: '请立即关闭阀门、开窗通风、撤离并拨打燃气抢修电话;社区同步协调处置。' },
  { name: '消防安全隐患', category: 'safety', owner: 'grid', priority: 'urgent', materials: [], anonymousAllowed: true, description: '消防通道堵塞、电动车楼道充电等。' },
  { name: '政策咨询', category: 'consultation', owner: 'community', priority: 'general', materials: [] },
]

interface Family {
  category: string
  materials: string[]
  names: string[]
  complex?: string[]
}

/** 黄河流域政务服务"跨域通办"联盟: 154 matters, each family with its usual materials. */
const crossRegionFamilies: Family[] = [
  {
    category: 'market-registration',
    materials: ['法定代表人(负责人)身份证件', '登记(备案)申请书', '公司章程或合伙协议(设立、变更时)', '住所(经营场所)使用证明'],
    names: [
      '有限责任公司设立登记', '股份有限公司设立登记', '个人独资企业设立登记', '合伙企业设立登记', '分公司设立登记', '个体工商户设立登记',
      '农民专业合作社设立登记', '营业执照变更登记(名称)', '营业执照变更登记(住所)', '营业执照变更登记(经营范围)', '营业执照变更登记(法定代表人)',
      '营业执照变更登记(注册资本)', '股东(投资人)变更登记', '公司章程备案', '个体工商户变更登记', '农民专业合作社变更登记', '企业注销登记',
      '企业简易注销登记', '个体工商户注销登记', '营业执照遗失补领', '电子营业执照下载与使用', '企业年度报告公示',
    ],
  },
  {
    category: 'business-permits',
    materials: ['营业执照', '法定代表人身份证件', '许可申请书', '经营场所平面图及使用证明', '从业人员健康证明或资格证明'],
    names: [
      '食品经营许可(新办)', '食品经营许可(变更)', '食品经营许可(延续)', '食品经营许可(注销)', '食品经营许可证补办', '小餐饮经营登记',
      '药品零售企业许可(新办)', '药品零售企业许可(变更)', '第二类医疗器械经营备案', '公共场所卫生许可(新办)', '公共场所卫生许可(延续)',
      '道路普通货物运输经营许可', '出版物零售业务经营许可', '烟草专卖零售许可证延续', '特种设备使用登记', '排污许可登记',
    ],
    complex: ['食品经营许可(新办)', '药品零售企业许可(新办)', '道路普通货物运输经营许可'],
  },
  {
    category: 'tax',
    materials: ['营业执照或纳税人识别号', '经办人身份证件', '相关合同或涉税资料'],
    names: [
      '跨区域涉税事项报告', '跨区域涉税事项报验登记', '跨区域涉税事项信息反馈', '增值税发票领用', '增值税普通发票代开', '完税证明开具',
      '个人所得税综合所得汇算清缴辅导', '纳税信用评价结果查询',
    ],
  },
  {
    category: 'pension',
    materials: ['本人身份证件或社会保障卡', '参保缴费凭证', '转移接续申请表(转移事项)'],
    names: [
      '企业职工基本养老保险关系转移接续', '城乡居民基本养老保险关系转移接续', '机关事业单位养老保险关系转移接续', '失业保险关系转移接续',
      '养老保险待遇领取资格认证', '个人权益记录查询打印', '参保缴费凭证打印', '失业保险金申领', '领取失业保险金人员丧葬补助金和抚恤金申领',
      '基本养老保险参保人员遗属待遇申领', '工伤保险待遇资格认证',
    ],
  },
  {
    category: 'ss-card',
    materials: ['本人身份证件', '近期免冠照片(申领、补换时)'],
    names: ['社会保障卡申领', '社会保障卡挂失', '社会保障卡补换', '社会保障卡启用', '社会保障卡应用状态查询'],
  },
  {
    category: 'employment',
    materials: ['本人身份证件', '劳动合同或解除劳动关系证明', '证书编号(查询时)'],
    names: ['就业创业证申领', '就业登记', '失业登记', '职业资格证书查询核验', '职业技能等级证书查询'],
  },
  {
    category: 'medical-insurance',
    materials: ['医保电子凭证或社会保障卡', '本人身份证件', '备案或报销申请表', '医疗机构证明材料(报销、认定时)'],
    names: [
      '基本医疗保险关系转移接续', '异地就医备案(异地长期居住人员)', '异地就医备案(常驻异地工作人员)', '异地就医备案(异地转诊人员)',
      '异地就医备案(临时外出就医人员)', '异地就医直接结算查询', '门诊慢特病病种待遇认定', '医保参保信息查询', '医保参保凭证打印',
      '医疗费用手工(零星)报销', '生育津贴申领', '医保电子凭证激活',
    ],
  },
  {
    category: 'housing-fund',
    materials: ['本人身份证件', '住房公积金账户信息', '相关证明(购房合同、租赁合同、退休证明等)'],
    names: [
      '住房公积金单位登记开户', '住房公积金单位及个人缴存信息变更', '住房公积金异地转移接续', '个人住房公积金缴存贷款信息查询',
      '出具贷款职工住房公积金缴存使用证明', '正常退休提取住房公积金', '购买自住住房提取住房公积金', '租赁住房提取住房公积金',
      '偿还住房贷款本息提取住房公积金', '离职异地就业提取住房公积金', '提前部分偿还住房公积金贷款', '住房公积金贷款结清证明开具',
    ],
  },
  {
    category: 'real-estate',
    materials: ['不动产权证书', '申请人身份证件', '登记申请书', '相关合同或协议'],
    names: [
      '不动产登记资料查询', '不动产权属证明打印', '不动产抵押权首次登记', '不动产抵押权注销登记', '国有建设用地使用权及房屋所有权转移登记',
      '不动产变更登记(姓名或名称)', '不动产预告登记', '不动产权证书补发', '不动产查封登记信息查询',
    ],
    complex: ['国有建设用地使用权及房屋所有权转移登记'],
  },
  {
    category: 'household',
    materials: [hukou, '本人身份证件', '迁移或准迁证明(迁移事项)'],
    names: [
      '户口迁移(跨省迁入)', '户口迁移(跨省迁出)', '居民身份证换领', '居民身份证补领', '临时居民身份证申领', '户籍证明开具', '居住证申领',
      '无犯罪记录证明开具', '出入境证件申领预约',
    ],
    complex: ['户口迁移(跨省迁入)', '户口迁移(跨省迁出)'],
  },
  {
    category: 'traffic',
    materials: ['机动车驾驶证或行驶证', '本人身份证件', '身体条件证明(换证、审验时)'],
    names: [
      '机动车驾驶证期满换领', '机动车驾驶证遗失补领', '机动车驾驶证审验', '驾驶人体检证明提交', '机动车检验标志申领', '机动车异地检验',
      '机动车临时号牌申领', '道路运输从业人员从业资格证补证', '道路运输从业人员从业资格证换证', '车辆违法记录查询与处理',
    ],
  },
  {
    category: 'marriage-funeral',
    materials: ['双方居民户口簿', '双方身份证件', '近期半身免冠合影照片(结婚登记)'],
    names: ['内地居民结婚登记', '内地居民离婚登记', '婚姻登记记录证明开具'],
  },
  {
    category: 'disability',
    materials: ['第二代残疾人证', '本人身份证件', '居民户口簿(迁移时)'],
    names: ['残疾人证迁移', '残疾人证换领'],
  },
  {
    category: 'elderly-services',
    materials: ['本人身份证件', '近期免冠照片'],
    names: ['老年人优待证办理'],
  },
  {
    category: 'civil-affairs',
    materials: ['法定代表人身份证件', '社会组织登记证书(遗失声明)'],
    names: ['社会组织登记证书补领'],
  },
  {
    category: 'health',
    materials: ['本人身份证件', '相关医学证明或执业证书'],
    names: ['出生医学证明补发', '医师执业注册变更', '护士执业注册变更', '生育登记', '预防接种证明补证', '职业健康检查结果查询'],
  },
  {
    category: 'education',
    materials: ['本人身份证件', '原证书或查询编号', '近期免冠照片(补发、换发时)'],
    names: ['普通话水平测试等级证书补发', '教师资格证书补发换发', '教师资格认定', '高等教育学历证书查询认证', '中等职业学校学历认证'],
  },
  {
    category: 'agriculture',
    materials: ['营业执照', '经营(诊疗)场所证明', '专业技术人员资格证明', '许可申请表'],
    names: ['农药经营许可', '兽药经营许可', '动物诊疗许可', '种子生产经营许可', '拖拉机和联合收割机驾驶证补领', '渔业船员证书换发'],
  },
  {
    category: 'veterans',
    materials: ['退役证件', '本人身份证件', hukou],
    names: ['军人退役基本养老保险关系转移接续', '退役军人优待证申领', '退役军人信息采集'],
  },
  {
    category: 'legal',
    materials: ['申请人身份证件', '经济困难状况说明(法律援助)', '案件相关材料'],
    names: ['法律援助申请', '公证事项办理咨询', '司法鉴定机构执业登记查询'],
  },
  {
    category: 'construction',
    materials: ['营业执照或本人身份证件', '原许可或资格证书', '申请表'],
    names: ['建筑施工企业安全生产许可证变更', '建筑施工特种作业人员操作资格证复审', '特种设备作业人员证复审', '取水许可延续', '黄河河道管理范围内建设项目许可咨询'],
    complex: ['黄河河道管理范围内建设项目许可咨询'],
  },
]

export const crossRegionItems: SeedItem[] = crossRegionFamilies.flatMap((f) => f.names.map((name) => ({
  name, category: f.category, owner: 'agency' as const, priority: f.complex?.includes(name) ? 'complex' as const : 'general' as const, materials: f.materials,
  description: '黄河流域政务服务"跨域通办"事项:可在本县政务服务中心受理,材料网上流转,结果邮寄或就近领取。',
})))
