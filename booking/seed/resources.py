"""The demo's bookable assets: the lead schools' rooms, bases, kits and visiting teachers.

Small schools have at most a reading room (图书室) and a multimedia classroom; everything else
they borrow from their lead school, which is the point of the district.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time

from booking.extensions import db
from booking.resources.models import CATEGORIES_BY_KIND, Category, OpeningHours, Resource, Sharing
from booking.schools.models import School
from booking.seed import layout

KIND_OF = {category: kind for kind, categories in CATEGORIES_BY_KIND.items() for category in categories}
SATURDAY_MORNING = (time(8, 30), time(11, 30))
WEEKDAYS = range(5)
SATURDAY = 5


@dataclass(frozen=True)
class Spec:
    category: Category
    name: str
    subject: str = ""
    location: str = ""
    capacity: int | None = None
    stock: int = 1
    sharing: Sharing = Sharing.DISTRICT
    approval_required: bool = False
    open_saturday: bool = False
    description: str = ""
    min_duration: int | None = None
    max_duration: int | None = None
    max_advance_days: int | None = None


LEAD_ROOMS = (
    Spec(Category.GYM, "体育馆", location="体艺楼一层", capacity=120, open_saturday=True,
         description="篮球、排球、乒乓球；雨天体育课首选"),
    Spec(Category.SPORTS_FIELD, "田径运动场", location="校园东侧", capacity=300, description="200米塑胶跑道，含足球场"),
    Spec(Category.LAB, "物理实验室", "physics", "实验楼二层", 48),
    Spec(Category.LAB, "化学实验室", "chemistry", "实验楼二层", 48),
    Spec(Category.LAB, "生物实验室", "biology", "实验楼三层", 48, description="配显微镜24台"),
    Spec(Category.LAB, "科学实验室", "science", "实验楼一层", 54, description="小学科学分组实验"),
    Spec(Category.COMPUTER_ROOM, "计算机教室", "computer", "综合楼四层", 50, approval_required=True,
         description="50台学生机；使用须经学校审批"),
    Spec(Category.LIBRARY, "图书馆", location="综合楼一层", capacity=80, description="藏书约3万册，含阅览室"),
    Spec(Category.MUSIC_ROOM, "音乐教室", location="体艺楼二层", capacity=50, description="钢琴1台、电子琴20台"),
    Spec(Category.ART_ROOM, "美术教室", location="体艺楼三层", capacity=45),
    Spec(Category.MULTIMEDIA_ROOM, "多媒体教室", location="教学楼三层", capacity=60,
         description="交互式白板，可远程同步课堂"),
    Spec(Category.MULTIMEDIA_ROOM, "录播教室", location="教学楼四层", capacity=50, sharing=Sharing.OWN_SCHOOL,
         description="本校公开课录制专用"),
)

# What each lead school owns beyond its rooms: (base, kits, visiting teachers).
LEAD_EXTRAS = {
    "XT01": (
        Spec(Category.OFF_CAMPUS_BASE, "新天农业实践基地", location="新天镇东沟村", capacity=100,
             approval_required=True, min_duration=120, max_duration=480, max_advance_days=60,
             description="蔬菜大棚、果园劳动实践；须提前申请并配带队教师"),
        Spec(Category.EQUIPMENT_KIT, "科学实验器材箱", stock=6, description="小学科学分组实验器材，每箱供一个班"),
        Spec(Category.EQUIPMENT_KIT, "便携式音响", stock=3, description="带无线话筒，适合室外活动"),
        Spec(Category.EQUIPMENT_KIT, "体育器材包", stock=10, description="跳绳、实心球、标志桶、接力棒"),
        Spec(Category.VISITING_TEACHER, "音乐 · 张丽老师", "music", description="上片走教音乐教师"),
        Spec(Category.VISITING_TEACHER, "体育 · 王强老师", "pe", description="上片走教体育教师"),
        Spec(Category.VISITING_TEACHER, "美术 · 陈静老师", "art", description="上片走教美术教师"),
    ),
    "LZ01": (
        Spec(Category.OFF_CAMPUS_BASE, "李寨研学实践基地", location="李寨镇河滩村", capacity=80,
             approval_required=True, min_duration=120, max_duration=480, max_advance_days=60,
             description="传统农耕与非遗剪纸体验；须提前申请"),
        Spec(Category.EQUIPMENT_KIT, "显微镜套装", stock=5, description="每套8台学生显微镜"),
        Spec(Category.EQUIPMENT_KIT, "便携式投影仪", stock=4),
        Spec(Category.EQUIPMENT_KIT, "美术写生画板套装", stock=8, description="每套30块画板"),
        Spec(Category.VISITING_TEACHER, "音乐 · 刘芳老师", "music", description="下片走教音乐教师"),
        Spec(Category.VISITING_TEACHER, "体育 · 赵磊老师", "pe", description="下片走教体育教师"),
        Spec(Category.VISITING_TEACHER, "美术 · 孙悦老师", "art", description="下片走教美术教师"),
    ),
}

VILLAGE_LIBRARY = Spec(Category.LIBRARY, "图书室", location="教学楼一层", capacity=30, sharing=Sharing.OWN_SCHOOL)
VILLAGE_MULTIMEDIA = Spec(Category.MULTIMEDIA_ROOM, "多媒体教室", location="教学楼二层", capacity=40,
                          description="可接入学区同步课堂")


def _opening_windows(spec: Spec, school: School) -> list[tuple[int, time, time]]:
    """Weekday windows covering the owner's school day; gyms open Saturday mornings as well."""
    periods = [(p.number, p.start_time, p.end_time) for p in school.bell_periods]
    opens, closes = layout.school_day_window(periods)
    windows = [(weekday, opens, closes) for weekday in WEEKDAYS]
    if spec.open_saturday:
        windows.append((SATURDAY, *SATURDAY_MORNING))
    return windows


def _create(spec: Spec, school: School) -> Resource:
    resource = Resource(
        owner_school=school, kind=KIND_OF[spec.category], category=spec.category,
        subject=spec.subject, name=spec.name, location=spec.location, description=spec.description,
        capacity=spec.capacity, stock=spec.stock, sharing=spec.sharing, approval_required=spec.approval_required,
        min_duration_minutes=spec.min_duration, max_duration_minutes=spec.max_duration,
        max_advance_days=spec.max_advance_days,
    )
    for weekday, opens, closes in _opening_windows(spec, school):
        resource.opening_hours.append(OpeningHours(weekday=weekday, opens=opens, closes=closes))
    db.session.add(resource)
    return resource


def village_specs(rng: random.Random) -> list[Spec]:
    """About half the small schools keep a reading room, about a third a multimedia classroom."""
    specs = []
    if rng.random() < 0.5:
        specs.append(VILLAGE_LIBRARY)
    if rng.random() < 0.35:
        specs.append(VILLAGE_MULTIMEDIA)
    return specs


def create_resources(schools: dict[str, School], rng: random.Random) -> dict[tuple[str, str], Resource]:
    """Every demo resource, keyed by (owner school code, resource name)."""
    created = {}
    for code, school in schools.items():
        if school.is_lead:
            specs = [*LEAD_ROOMS, *LEAD_EXTRAS[code]]
        elif school.is_weak:
            specs = village_specs(rng)
        else:
            specs = []
        for spec in specs:
            created[(code, spec.name)] = _create(spec, school)
    return created
